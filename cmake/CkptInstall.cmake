# Install rules (GNUInstallDirs), desktop integration, man pages and the Debian package (CPack).
#
#   cmake --install build --prefix /usr/local       # or DESTDIR=... cmake --install build
#   (cd build && cpack -G DEB)                       # ckpt-inspector_<version>_<arch>.deb
#
# Without the GUI (CKPT_BUILD_GUI=OFF) only ckpt, its man page and the docs are installed and
# packaged; the desktop files belong to the app.
include(GNUInstallDirs)

# The one application id: the .desktop file, the icon, the MIME package and the AppStream
# metainfo are named after it, and the app reports it as its desktop file name.
set(CKPT_APP_ID "io.github.ckpt_inspector.CheckpointInspector")
set(CKPT_PACKAGE_NAME "ckpt-inspector")
# The date of the release named by project(VERSION): AppStream's <release>.
set(CKPT_RELEASE_DATE "2026-12-07")
set(CKPT_PACKAGE_MAINTAINER "Checkpoint Inspector dev <dev@ckpt-inspector.local>"
    CACHE STRING "Maintainer field of the Debian package")
option(CKPT_BUILD_MAN "Generate the man pages with help2man at build time (when it is found)" ON)

set(CKPT_LINUX_DIR ${PROJECT_SOURCE_DIR}/resources/linux)
set(CKPT_DESKTOP_DIR ${PROJECT_BINARY_DIR}/desktop)
set(CKPT_DOC_DIR ${CMAKE_INSTALL_DATADIR}/doc/${CKPT_PACKAGE_NAME})

install(TARGETS ckpt RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
# The HDF5 checking process (core/io/hdf5_check.h), found at ../libexec/ckpt-inspector/ from
# the programs in bin/.
install(TARGETS ckpt-hdf5-check RUNTIME DESTINATION ${CMAKE_INSTALL_LIBEXECDIR}/${CKPT_PACKAGE_NAME})
install(FILES ${PROJECT_SOURCE_DIR}/LICENSE ${PROJECT_SOURCE_DIR}/README.md
        DESTINATION ${CKPT_DOC_DIR})
# Debian policy (12.5) looks for the license in /usr/share/doc/<package>/copyright.
install(FILES ${PROJECT_SOURCE_DIR}/LICENSE DESTINATION ${CKPT_DOC_DIR} RENAME copyright)

if(CKPT_BUILD_GUI)
    install(TARGETS ckpt-inspector RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
    target_compile_definitions(ckpt-inspector PRIVATE CKPT_APP_ID="${CKPT_APP_ID}")

    # The MIME types the app opens: the standard HDF5 type and every type our shared-mime-info
    # package defines (read from it, so that the .desktop file and the metainfo follow it).
    set(CKPT_MIME_XML ${CKPT_LINUX_DIR}/ckpt-inspector-mime.xml)
    set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${CKPT_MIME_XML})
    file(STRINGS ${CKPT_MIME_XML} mime_lines REGEX "<mime-type type=\"[^\"]+\"")
    set(CKPT_MIME_TYPES application/x-hdf)
    foreach(line IN LISTS mime_lines)
        string(REGEX REPLACE ".*<mime-type type=\"([^\"]+)\".*" "\\1" type "${line}")
        list(APPEND CKPT_MIME_TYPES ${type})
    endforeach()
    list(JOIN CKPT_MIME_TYPES ";" CKPT_DESKTOP_MIME_TYPES)
    string(APPEND CKPT_DESKTOP_MIME_TYPES ";")
    set(CKPT_METAINFO_MEDIATYPES "")
    foreach(type IN LISTS CKPT_MIME_TYPES)
        string(APPEND CKPT_METAINFO_MEDIATYPES "    <mediatype>${type}</mediatype>\n")
    endforeach()
    string(REGEX REPLACE "\n$" "" CKPT_METAINFO_MEDIATYPES "${CKPT_METAINFO_MEDIATYPES}")

    configure_file(${CKPT_LINUX_DIR}/ckpt-inspector.desktop.in
                   ${CKPT_DESKTOP_DIR}/${CKPT_APP_ID}.desktop @ONLY)
    configure_file(${CKPT_LINUX_DIR}/ckpt-inspector.metainfo.xml.in
                   ${CKPT_DESKTOP_DIR}/${CKPT_APP_ID}.metainfo.xml @ONLY)
    install(FILES ${CKPT_DESKTOP_DIR}/${CKPT_APP_ID}.desktop
            DESTINATION ${CMAKE_INSTALL_DATADIR}/applications)
    install(FILES ${CKPT_DESKTOP_DIR}/${CKPT_APP_ID}.metainfo.xml
            DESTINATION ${CMAKE_INSTALL_DATADIR}/metainfo)
    install(FILES ${CKPT_MIME_XML} DESTINATION ${CMAKE_INSTALL_DATADIR}/mime/packages
            RENAME ${CKPT_APP_ID}.xml)
    install(FILES ${CKPT_LINUX_DIR}/ckpt-inspector.svg
            DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor/scalable/apps
            RENAME ${CKPT_APP_ID}.svg)
endif()

# Man pages from the programs' own --help and --version (help2man runs the freshly built
# programs, so not when cross-compiling). Installed gzipped, as Debian wants them.
find_program(HELP2MAN_EXECUTABLE help2man)
find_program(GZIP_EXECUTABLE gzip)
set(CKPT_MAN_PAGES)
if(NOT CKPT_BUILD_MAN)
    message(STATUS "Man pages: skipped (CKPT_BUILD_MAN=OFF)")
elseif(NOT CKPT_SANITIZE STREQUAL "")
    message(STATUS "Man pages: skipped (sanitizer build; not one to install)")
elseif(CMAKE_CROSSCOMPILING)
    message(STATUS "Man pages: skipped (cross-compiling: help2man cannot run the programs)")
elseif(NOT HELP2MAN_EXECUTABLE OR NOT GZIP_EXECUTABLE)
    # A warning (stderr), so that scripts/build.sh, which hides the configure output, shows it.
    message(WARNING "Man pages skipped: help2man or gzip not found (Debian: apt-get install "
                    "help2man). The programs build and install without them.")
else()
    set(CKPT_MAN_DIR ${PROJECT_BINARY_DIR}/man)
    set(ckpt_man_targets ckpt)
    set(ckpt_man_name_ckpt "inspect, validate, compare and export machine-learning checkpoints")
    if(CKPT_BUILD_GUI)
        list(APPEND ckpt_man_targets ckpt-inspector)
        set(ckpt_man_name_ckpt-inspector
            "desktop app to see inside machine-learning checkpoints without running them")
    endif()
    foreach(target IN LISTS ckpt_man_targets)
        set(page ${CKPT_MAN_DIR}/${target}.1)
        set(subcommands OFF)
        if(target STREQUAL "ckpt")
            set(subcommands ON)  # each command's own --help too
        endif()
        add_custom_command(
            OUTPUT ${page} ${page}.gz
            # Text only, no display: ckpt-inspector answers --help and --version without one.
            COMMAND ${CMAKE_COMMAND} -E env QT_QPA_PLATFORM=offscreen
                    ${CMAKE_COMMAND} -DPROGRAM=$<TARGET_FILE:${target}>
                    -DHELP2MAN=${HELP2MAN_EXECUTABLE} -DGZIP=${GZIP_EXECUTABLE}
                    "-DNAME=${ckpt_man_name_${target}}" -DVERSION=${PROJECT_VERSION}
                    -DOUTPUT=${page} -DSUBCOMMANDS=${subcommands}
                    -P ${PROJECT_SOURCE_DIR}/cmake/CkptManPage.cmake
            DEPENDS ${target} ${PROJECT_SOURCE_DIR}/cmake/CkptManPage.cmake
            COMMENT "Generating the man page ${target}.1 with help2man"
            VERBATIM)
        list(APPEND CKPT_MAN_PAGES ${page}.gz)
    endforeach()
    add_custom_target(ckpt_man_pages ALL DEPENDS ${CKPT_MAN_PAGES})
    install(FILES ${CKPT_MAN_PAGES} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
endif()

# The Debian package: `cpack -G DEB` in the build folder, after a build. It packs what was built:
# `make install` and cpack's "preinstall" step do not run the whole build again (a no-op build
# of this tree, with its hundred test targets, takes about a minute), as `cmake --install` never
# does either.
set(CMAKE_SKIP_INSTALL_ALL_DEPENDENCY ON)
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME ${CKPT_PACKAGE_NAME})
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "The Checkpoint Inspector authors")
set(CPACK_PACKAGE_CONTACT "${CKPT_PACKAGE_MAINTAINER}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "see inside machine-learning checkpoints without running them")
# Lines of at most 79 characters, as Debian wants them (CPack does not wrap); "\n\n" is a
# paragraph break.
set(CPACK_PACKAGE_DESCRIPTION
    "Checkpoint Inspector opens machine-learning checkpoints as data, never as\n\
code: Keras .h5 and .keras files, PyTorch checkpoints, pickles and joblib\n\
dumps, safetensors, GGUF, NumPy arrays and any HDF5 file. It shows layers,\n\
parameter counts and every tensor with its statistics, finds members that\n\
plain pickle cannot save and code that runs on load, compares two checkpoints\n\
and exports cleaned copies.\n\n")
if(CKPT_BUILD_GUI)
    string(APPEND CPACK_PACKAGE_DESCRIPTION
           "This package holds the Qt 6 desktop app ckpt-inspector and the command-line\n"
           "tool ckpt.")
else()
    string(APPEND CPACK_PACKAGE_DESCRIPTION
           "This build holds only the command-line tool ckpt (built without the desktop\n"
           "app).")
endif()
set(CPACK_RESOURCE_FILE_LICENSE ${PROJECT_SOURCE_DIR}/LICENSE)
set(CPACK_PACKAGE_INSTALL_DIRECTORY ${CKPT_PACKAGE_NAME})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${CKPT_PACKAGE_MAINTAINER}")
set(CPACK_DEBIAN_PACKAGE_SECTION science)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# Depends from the shared libraries the programs link (dpkg-shlibdeps, from dpkg-dev).
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS OFF)
if(CKPT_BUILD_GUI)
    # The desktop database and the MIME cache are refreshed by the triggers of
    # desktop-file-utils and shared-mime-info when they are installed.
    set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "shared-mime-info, desktop-file-utils")
endif()
include(CPack)
