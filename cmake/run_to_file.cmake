# cmake -DOUTPUT=FILE -P run_to_file.cmake -- COMMAND [ARGS...]: runs the command, its standard
# output into FILE (replaced only when the command succeeds). Lets the build run a program it
# just built and keep what it prints, with no shell in between.
set(command)
set(seen_separator OFF)
foreach(i RANGE ${CMAKE_ARGC})
  if(seen_separator)
    list(APPEND command "${CMAKE_ARGV${i}}")
  elseif("${CMAKE_ARGV${i}}" STREQUAL "--")
    set(seen_separator ON)
  endif()
endforeach()
execute_process(COMMAND ${command} OUTPUT_FILE ${OUTPUT}.tmp RESULT_VARIABLE failed)
if(failed)
  file(REMOVE ${OUTPUT}.tmp)
  message(FATAL_ERROR "${command}: ${failed}")
endif()
file(RENAME ${OUTPUT}.tmp ${OUTPUT})
