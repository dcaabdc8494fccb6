# embed_files(OUTPUT <cpp> NAMESPACE <ns> FILES <paths...>): generates a .cpp that defines
#   const std::vector<EmbeddedFile>& <ns>::EmbeddedFiles();
# holding each file's base name and contents, regenerated whenever a file changes.
function(embed_files)
  cmake_parse_arguments(E "" "OUTPUT;NAMESPACE;HEADER" "FILES" ${ARGN})
  add_custom_command(
    OUTPUT ${E_OUTPUT}
    COMMAND ${CMAKE_COMMAND} -DOUTPUT=${E_OUTPUT} -DNAMESPACE=${E_NAMESPACE} -DHEADER=${E_HEADER}
            "-DFILES=${E_FILES}" -P ${CMAKE_SOURCE_DIR}/cmake/embed_files_script.cmake
    DEPENDS ${E_FILES} ${CMAKE_SOURCE_DIR}/cmake/embed_files_script.cmake
    COMMENT "Embedding ${E_NAMESPACE} files"
    VERBATIM)
endfunction()
