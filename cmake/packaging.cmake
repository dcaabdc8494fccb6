# The Debian package: `cpack` in a Release build directory writes chameleon_<version>_<arch>.deb
# (tools/package.sh does both). What goes where, under the prefix /usr:
#   bin/chameleon                                  the program (its install() is in src/cli)
#   libexec/chameleon/start-instance               ExecStart of the systemd unit
#   lib/systemd/system/chameleon@.service          the template unit, chameleon@<config>-<source>
#   share/man/man1/chameleon.1.gz                  the man page (docs/chameleon.1)
#   share/doc/chameleon/                           README, CHANGELOG, docs/*.md
#   share/doc/chameleon/examples/                  what set_configuration_files writes
#   share/chameleon/sql/catalogue/                 the catalogue migrations, for reference
# Dependencies come from the shared libraries the binary links (dpkg-shlibdeps), plus
# adduser for the postinst that creates the user chameleon.
set(pkg_dir ${CMAKE_SOURCE_DIR}/packaging)

install(PROGRAMS ${pkg_dir}/start-instance DESTINATION libexec/chameleon)
install(FILES ${pkg_dir}/chameleon@.service DESTINATION lib/systemd/system)

set(man_page ${CMAKE_BINARY_DIR}/chameleon.1.gz)
add_custom_command(OUTPUT ${man_page}
  COMMAND gzip -9 -n -c ${CMAKE_SOURCE_DIR}/docs/chameleon.1 > ${man_page}
  DEPENDS ${CMAKE_SOURCE_DIR}/docs/chameleon.1
  COMMENT "Compressing the man page")
add_custom_target(chameleon_man_page ALL DEPENDS ${man_page})
install(FILES ${man_page} DESTINATION share/man/man1)

file(GLOB package_docs ${CMAKE_SOURCE_DIR}/docs/*.md)
install(FILES ${CMAKE_SOURCE_DIR}/README.md ${CMAKE_SOURCE_DIR}/CHANGELOG.md ${package_docs}
        DESTINATION share/doc/chameleon)
file(GLOB example_configs ${CMAKE_SOURCE_DIR}/configuration/*.yml)
install(FILES ${example_configs} DESTINATION share/doc/chameleon/examples)
file(GLOB catalogue_sql ${CMAKE_SOURCE_DIR}/sql/catalogue/*.sql)
install(FILES ${catalogue_sql} DESTINATION share/chameleon/sql/catalogue)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME chameleon)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "MySQL/MariaDB to PostgreSQL replicator (pg_chameleon 2.0 compatible)")
set(CPACK_PACKAGE_DESCRIPTION
    "chameleon copies MySQL or MariaDB schemas into PostgreSQL and keeps them up to date
from the binary log, staged in a local RocksDB spool. Same commands, YAML configuration
and sch_chameleon catalogue as pg_chameleon 2.0. Includes the systemd template unit
chameleon@<config>-<source>.service.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES OFF)  # the crash handler's stack traces need the symbols
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "chameleon maintainers <chameleon@localhost>")
set(CPACK_DEBIAN_PACKAGE_SECTION database)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS adduser)
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA ${pkg_dir}/postinst ${pkg_dir}/prerm ${pkg_dir}/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION TRUE)
include(CPack)
