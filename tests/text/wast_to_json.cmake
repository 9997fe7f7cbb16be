# Converts one .wast with wast2json into OUT_DIR, then touches STAMP. OUT_DIR is cleared first:
# a changed script may write fewer modules. A file wast2json rejects leaves a .not-converted
# marker (its first line names the .wast, the rest is wast2json's error) that keel-spec reports,
# and the build goes on.
#   cmake -DWAST2JSON=... -DWAST=... -DOUT_DIR=... -DSTAMP=... [-DFLAGS=--enable-all] -P this
file(REMOVE_RECURSE "${OUT_DIR}")
file(MAKE_DIRECTORY "${OUT_DIR}")
get_filename_component(stem "${WAST}" NAME_WLE)
execute_process(
  COMMAND "${WAST2JSON}" ${FLAGS} "--output=${OUT_DIR}/${stem}.json" "${WAST}"
  RESULT_VARIABLE result
  OUTPUT_VARIABLE output
  ERROR_VARIABLE output)
if(NOT result EQUAL 0)
  file(REMOVE_RECURSE "${OUT_DIR}")
  file(MAKE_DIRECTORY "${OUT_DIR}")
  file(WRITE "${OUT_DIR}/${stem}.not-converted" "source: ${WAST}\n${output}")
  string(REGEX REPLACE "\n.*" "" first_line "${output}")
  message(NOTICE "wast2json could not convert ${WAST} (reported by keel-spec): ${first_line}")
endif()
file(TOUCH "${STAMP}")
