# Helpers for the CLI tests (run with cmake -P, PATRON = path of the tool).
#   patron_expect(EXIT 2 STDERR "regex" STDOUT "regex" ARGS summary file.csv)
# Checks the exit code and that stdout/stderr match the regexes; an error exit must
# print exactly one line on stderr.
file(REMOVE_RECURSE ${WORK_DIR})
file(MAKE_DIRECTORY ${WORK_DIR})

function(patron_expect)
  cmake_parse_arguments(E "" "EXIT;STDOUT;STDERR;INPUT" "ARGS" ${ARGN})
  if(E_INPUT)
    execute_process(COMMAND ${PATRON} ${E_ARGS} INPUT_FILE ${E_INPUT}
      RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  else()
    execute_process(COMMAND ${PATRON} ${E_ARGS}
      RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  endif()
  if(NOT rc STREQUAL "${E_EXIT}")
    message(FATAL_ERROR "patron ${E_ARGS}: exit ${rc}, expected ${E_EXIT}\nstdout: ${out}\nstderr: ${err}")
  endif()
  if(DEFINED E_STDOUT AND NOT out MATCHES "${E_STDOUT}")
    message(FATAL_ERROR "patron ${E_ARGS}: stdout does not match '${E_STDOUT}':\n${out}")
  endif()
  if(DEFINED E_STDERR AND NOT err MATCHES "${E_STDERR}")
    message(FATAL_ERROR "patron ${E_ARGS}: stderr does not match '${E_STDERR}':\n${err}")
  endif()
  if(NOT rc EQUAL 0)
    string(REGEX MATCHALL "\n" newlines "${err}")
    list(LENGTH newlines lines)
    if(NOT lines EQUAL 1)
      message(FATAL_ERROR "patron ${E_ARGS}: expected one line on stderr, got:\n${err}")
    endif()
  endif()
  set(PATRON_LAST_STDOUT "${out}" PARENT_SCOPE)
endfunction()

# Writes a file under WORK_DIR and returns its path in the named variable.
function(patron_write_file var name content)
  file(WRITE ${WORK_DIR}/${name} "${content}")
  set(${var} ${WORK_DIR}/${name} PARENT_SCOPE)
endfunction()
