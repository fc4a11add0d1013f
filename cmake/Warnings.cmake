# Warnings for the project's own targets.
function(ipfs_kit_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wno-unused-parameter)
endfunction()

# ipfs_kit_library(NAME SOURCES... DEPS ...): a static library named ipfs_kit_NAME
# with public headers in include/.
function(ipfs_kit_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(ipfs_kit_${name} STATIC ${ARG_SOURCES})
  target_include_directories(ipfs_kit_${name} PUBLIC ${PROJECT_SOURCE_DIR}/include)
  target_link_libraries(ipfs_kit_${name} PUBLIC ${ARG_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
  ipfs_kit_warnings(ipfs_kit_${name})
endfunction()

# ipfs_kit_unit_test(NAME SOURCES... DEPS ...): a GoogleTest binary registered with CTest.
function(ipfs_kit_unit_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  if(NOT IPFS_KIT_TESTS)
    return()
  endif()
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gtest_main)
  set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests)
  ipfs_kit_warnings(${name})
  add_test(NAME ${name} COMMAND ${name})
  set_tests_properties(${name} PROPERTIES LABELS unit)
endfunction()
