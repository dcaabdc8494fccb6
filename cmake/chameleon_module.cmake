# chameleon_module(NAME SOURCES ... DEPENDS ...): one static library per src/<module>/.
# Headers are included as "<module>/<file>.h" from src/, so a module's public surface
# is visible in every #include line.
function(chameleon_module name)
  cmake_parse_arguments(MOD "" "" "SOURCES;DEPENDS;PRIVATE_DEPENDS" ${ARGN})
  add_library(chameleon_${name} STATIC ${MOD_SOURCES})
  target_include_directories(chameleon_${name} PUBLIC ${CMAKE_SOURCE_DIR}/src ${CMAKE_BINARY_DIR}/generated)
  target_link_libraries(chameleon_${name} PUBLIC ${MOD_DEPENDS} PRIVATE ${MOD_PRIVATE_DEPENDS})
endfunction()

# chameleon_test(NAME SOURCES ... DEPENDS ... [INTEGRATION] [SERIAL]): a GoogleTest binary
# registered with ctest. INTEGRATION tests talk to the servers of tools/testenv.sh and carry
# that label; SERIAL ones change server-wide state and run alone.
function(chameleon_test name)
  cmake_parse_arguments(T "INTEGRATION;SERIAL" "" "SOURCES;DEPENDS" ${ARGN})
  add_executable(${name} ${T_SOURCES})
  target_include_directories(${name} PRIVATE ${CMAKE_SOURCE_DIR}/src ${CMAKE_SOURCE_DIR}/tests)
  target_link_libraries(${name} PRIVATE ${T_DEPENDS} GTest::gtest GTest::gtest_main GTest::gmock)
  add_test(NAME ${name} COMMAND ${name})
  set(labels unit)
  if(T_INTEGRATION)
    set(labels integration)
  endif()
  set_tests_properties(${name} PROPERTIES LABELS "${labels}"
    ENVIRONMENT "CHAMELEON_BINARY=$<TARGET_FILE:chameleon>;CHAMELEON_SOURCE_DIR=${CMAKE_SOURCE_DIR}")
  if(T_SERIAL)
    set_tests_properties(${name} PROPERTIES RUN_SERIAL TRUE)
  endif()
endfunction()
