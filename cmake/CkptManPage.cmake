# Writes a man page from a program's --help and --version with help2man, and its gzipped copy.
# Run at build time (cmake/CkptInstall.cmake):
#
#   cmake -DPROGRAM=path -DHELP2MAN=path -DGZIP=path -DNAME="one line" -DVERSION=x.y.z
#         -DOUTPUT=dir/prog.1 [-DSUBCOMMANDS=ON] -P CkptManPage.cmake
#
# SUBCOMMANDS=ON (ckpt): the commands listed under "Commands:" in --help also get their own
# `PROGRAM <command> --help` in a section COMMANDS IN DETAIL.
foreach(var PROGRAM HELP2MAN GZIP NAME VERSION OUTPUT)
    if(NOT DEFINED ${var})
        message(FATAL_ERROR "CkptManPage.cmake: ${var} is not set")
    endif()
endforeach()
get_filename_component(program_name "${PROGRAM}" NAME)

# Text for a no-fill block of roff: backslashes, hyphens (minus signs in options, so that they
# can be copied) and control characters at the start of a line escaped.
function(ckpt_roff_escape out text)
    string(REPLACE "\\" "\\e" text "${text}")
    string(REPLACE "-" "\\-" text "${text}")
    string(REGEX REPLACE "(^|\n)([.'])" "\\1\\\\&\\2" text "${text}")
    set(${out} "${text}" PARENT_SCOPE)
endfunction()

set(include_args)
if(SUBCOMMANDS)
    execute_process(COMMAND "${PROGRAM}" --help OUTPUT_VARIABLE help RESULT_VARIABLE rc)
    if(NOT rc EQUAL 0)
        message(FATAL_ERROR "${program_name} --help exited with ${rc}")
    endif()
    # "Commands:" followed by lines "  name   description", up to the first other line.
    if(NOT help MATCHES "Commands:\n(( +[a-z][a-z0-9-]* +[^\n]*\n)+)")
        message(FATAL_ERROR "${program_name} --help has no \"Commands:\" list")
    endif()
    string(REGEX MATCHALL "[^\n]+" lines "${CMAKE_MATCH_1}")
    set(body "[COMMANDS IN DETAIL]\n")
    foreach(line IN LISTS lines)
        string(REGEX REPLACE "^ +([a-z][a-z0-9-]*) .*" "\\1" command "${line}")
        execute_process(COMMAND "${PROGRAM}" ${command} --help OUTPUT_VARIABLE text
                        RESULT_VARIABLE rc)
        if(NOT rc EQUAL 0)
            message(FATAL_ERROR "${program_name} ${command} --help exited with ${rc}")
        endif()
        string(STRIP "${text}" text)
        ckpt_roff_escape(text "${text}")
        string(APPEND body ".SS \"${program_name} ${command}\"\n.nf\n${text}\n.fi\n")
    endforeach()
    set(include_file "${OUTPUT}.h2m")
    file(WRITE "${include_file}" "${body}")
    set(include_args "--include=${include_file}")
endif()

execute_process(
    COMMAND "${HELP2MAN}" --no-info --section=1 "--name=${NAME}" "--version-string=${VERSION}"
            ${include_args} "--output=${OUTPUT}" "${PROGRAM}"
    RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
    message(FATAL_ERROR "help2man ${program_name} failed (${rc})")
endif()
execute_process(COMMAND "${GZIP}" -9 -n -c "${OUTPUT}" OUTPUT_FILE "${OUTPUT}.gz"
                RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
    message(FATAL_ERROR "gzip ${OUTPUT} failed (${rc})")
endif()
