# Helpers shared by every component: mpcc_library() and mpcc_test().
# Cf. absl_cc_library / absl_cc_test: one call per library, one test binary per library.

set(MPCC_WARNINGS -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wno-sign-conversion
    -Wnon-virtual-dtor -Wold-style-cast -Wcast-align -Woverloaded-virtual
    -Wimplicit-fallthrough)

# -O2, not CMake's default -O3: GCC 12 at -O3 reports false -Warray-bounds and
# -Wrestrict inside libstdc++ (GCC bugs 105329, 105651), which -Werror turns fatal.
# The ci preset sets -O1: it builds in order to test, and compiles about a third
# faster (CI time); benchmarks use the default preset (RelWithDebInfo, -O2 -g).
set(MPCC_RELEASE_OPT "-O2" CACHE STRING "Optimisation flag of Release builds")
set(CMAKE_CXX_FLAGS_RELEASE "${MPCC_RELEASE_OPT} -DNDEBUG" CACHE STRING "Release flags" FORCE)

function(mpcc_apply_flags target)
  target_compile_options(${target} PRIVATE ${MPCC_WARNINGS})
  if(MPCC_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()

if(MPCC_SANITIZE)
  # Line tables are all a sanitizer report needs; full -g costs a fifth more compile time.
  set(CMAKE_CXX_FLAGS_DEBUG "-g1" CACHE STRING "Debug flags" FORCE)
  # ASan plus the UBSan checks for undefined arithmetic and control flow. The
  # rest of -fsanitize=undefined (null and alignment of every access, vptr,
  # pointer-overflow, nonnull attributes; object-size does nothing at -O0)
  # made each translation unit compile ~1.7 times as long (measured on
  # src/party/routes_keys.cpp: 36 s against 21 s) for little: ASan reports a
  # null access as a SEGV with its stack, and x86 tolerates misalignment.
  set(MPCC_UBSAN_CHECKS signed-integer-overflow,shift,bounds,return,unreachable,bool,enum,float-cast-overflow,vla-bound,integer-divide-by-zero)
  add_compile_options(-fsanitize=address,${MPCC_UBSAN_CHECKS} -fno-omit-frame-pointer
                      -fno-sanitize-recover=all)
  add_link_options(-fsanitize=address,${MPCC_UBSAN_CHECKS})
endif()

# Fuzzing (fuzz/README.md). libFuzzer exists only in clang, so the asan
# preset (the sanitizer pass of scripts/test) is built with clang-14 and
# MPCC_FUZZ=ON: every target gets libFuzzer's coverage instrumentation
# (-fsanitize=fuzzer-no-link) and each fuzz target links libFuzzer's main
# (-fsanitize=fuzzer, in fuzz/CMakeLists.txt). The release pass (preset ci)
# stays GCC with -Werror; there the fuzz targets link fuzz/replay_main.cpp
# and only replay their seed corpora.
if(MPCC_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "MPCC_FUZZ=ON needs clang (libFuzzer); the compiler is "
                        "${CMAKE_CXX_COMPILER_ID}. Configure with -DCMAKE_CXX_COMPILER=clang++ "
                        "or MPCC_FUZZ=OFF.")
  endif()
  add_compile_options(-fsanitize=fuzzer-no-link)
endif()

# Precompiled headers (CI time: parsing nlohmann-json, spdlog and the standard
# library is about a fifth of a translation unit's compile time). Two headers
# are built once each, by mpcc_pch_library and mpcc_pch_test, and every library
# and test binary reuses them (REUSE_FROM), so all of them must be compiled with
# the same flags and definitions: mpcc_library and mpcc_test link the same
# header-only/logging targets for that reason. MPCC_PCH=OFF turns it off.
option(MPCC_PCH "Use precompiled headers" ON)
set(MPCC_PCH_HEADERS <algorithm> <chrono> <cstdint> <filesystem> <functional> <map> <memory>
    <mutex> <optional> <string> <string_view> <utility> <vector>
    <nlohmann/json.hpp> <fmt/format.h> <spdlog/spdlog.h>)
set(MPCC_PCH_DEPS nlohmann_json::nlohmann_json spdlog::spdlog fmt::fmt)

# Files where GCC 12 reports its false -Warray-bounds inside libstdc++'s
# std::string (bugs 105329, 105651) only when the precompiled header is in
# front: compiled without it. (A new file that trips on this goes here, with
# the warning checked to be that false positive.)
set(MPCC_PCH_SKIP
    src/platform/sim/chip_certificates.cpp
    src/skr/maa_client.cpp
    src/snp/test/hcl_test.cpp
    src/verifier/test/vectors.cpp
    src/attestation/test/test_util.cpp)

# Marks the sources of the calling directory's target that are in MPCC_PCH_SKIP.
function(mpcc_pch_skip_sources)
  foreach(src ${ARGN})
    get_filename_component(abs ${src} ABSOLUTE)
    file(RELATIVE_PATH rel ${PROJECT_SOURCE_DIR} ${abs})
    if(rel IN_LIST MPCC_PCH_SKIP)
      set_source_files_properties(${src} PROPERTIES SKIP_PRECOMPILE_HEADERS ON)
    endif()
  endforeach()
endfunction()

# Called once, after the packages are found (CMakeLists.txt).
function(mpcc_define_pch_targets)
  if(NOT MPCC_PCH)
    return()
  endif()
  set(anchor ${PROJECT_BINARY_DIR}/generated/mpcc_pch_anchor.cpp)
  file(WRITE ${anchor} "// Compiles the precompiled headers; nothing else.\n")
  add_library(mpcc_pch_library STATIC ${anchor})
  target_link_libraries(mpcc_pch_library PRIVATE ${MPCC_PCH_DEPS})
  target_include_directories(mpcc_pch_library PRIVATE ${PROJECT_SOURCE_DIR}/src
                             ${PROJECT_BINARY_DIR}/generated)
  target_precompile_headers(mpcc_pch_library PRIVATE ${MPCC_PCH_HEADERS})
  mpcc_apply_flags(mpcc_pch_library)
  if(MPCC_BUILD_TESTS)
    add_executable(mpcc_pch_test ${anchor})
    target_link_libraries(mpcc_pch_test PRIVATE ${MPCC_PCH_DEPS} GTest::gtest GTest::gtest_main GTest::gmock)
    target_compile_definitions(mpcc_pch_test PRIVATE ${MPCC_TEST_DEFINITIONS})
    target_include_directories(mpcc_pch_test PRIVATE ${PROJECT_SOURCE_DIR}/src
                               ${PROJECT_BINARY_DIR}/generated)
    target_precompile_headers(mpcc_pch_test PRIVATE ${MPCC_PCH_HEADERS} <gtest/gtest.h> <gmock/gmock.h>)
    mpcc_apply_flags(mpcc_pch_test)
  endif()
endfunction()

# Unity builds (CI time: most of a translation unit's time is instantiating
# the same nlohmann-json and fmt templates; batches of 16 files of a target do
# that once per batch: a clean ASan build took 506 s instead of ~890 s). On in
# every preset, so what CI builds is what scripts/demo builds; MPCC_UNITY=OFF
# compiles file by file (it shows a missing include a batch-mate hides). Files
# whose file-local names clash with a neighbour's in a batch are compiled alone
# (MPCC_UNITY_SKIP; better: give the file-local name a distinct one).
option(MPCC_UNITY "Compile each target's sources in batches (unity build)" ON)
set(MPCC_UNITY_SKIP
    apps/mpcc/cmd_psp.cpp apps/mpcc/cmd_serve_party.cpp apps/mpcc/cmd_serve_skr.cpp
    apps/mpcc/cmd_serve_view.cpp apps/mpcc/cmd_snp.cpp apps/mpcc/cmd_up.cpp
    src/attestation/service.cpp src/attestation/test/service_test.cpp
    src/crypto/test/key_wrap_test.cpp src/crypto/test/x509_extensions_test.cpp
    src/deploy/deployment_file.cpp src/deploy/export_k8s.cpp src/deploy/export_plan.cpp
    src/jose/test/jwe_test.cpp
    src/keyvault/issuer_keys.cpp src/keyvault/key_bundle.cpp src/keyvault/key_registry.cpp
    src/keyvault/service.cpp src/keyvault/vault.cpp
    src/keyvault/test/issuer_keys_test.cpp src/keyvault/test/release_matrix_test.cpp
    src/platform/sim/channel_protocol.cpp src/records/test/envelope_test.cpp
    src/skr/test/sidecar_request_test.cpp src/snp/test/hcl_test.cpp)

function(mpcc_apply_unity target)
  if(NOT MPCC_UNITY)
    return()
  endif()
  set_target_properties(${target} PROPERTIES UNITY_BUILD ON UNITY_BUILD_BATCH_SIZE 16)
  get_target_property(srcs ${target} SOURCES)
  get_target_property(dir ${target} SOURCE_DIR)
  foreach(src ${srcs})
    get_filename_component(abs ${src} ABSOLUTE BASE_DIR ${dir})
    file(RELATIVE_PATH rel ${PROJECT_SOURCE_DIR} ${abs})
    # A file compiled without the precompiled header must be compiled alone.
    if(rel IN_LIST MPCC_UNITY_SKIP OR rel IN_LIST MPCC_PCH_SKIP)
      set_source_files_properties(${src} PROPERTIES SKIP_UNITY_BUILD_INCLUSION ON)
    endif()
  endforeach()
endfunction()

# mpcc_library(NAME SRCS ... DEPS ... [PRIVATE_DEPS ...])
# Creates target mpcc_<NAME> (alias mpcc::<NAME>). Headers are included as
# "<lib>/<file>.h" relative to src/.
function(mpcc_library)
  cmake_parse_arguments(L "" "NAME" "SRCS;DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(mpcc_${L_NAME} STATIC ${L_SRCS})
  add_library(mpcc::${L_NAME} ALIAS mpcc_${L_NAME})
  target_include_directories(mpcc_${L_NAME} PUBLIC ${PROJECT_SOURCE_DIR}/src
                             ${PROJECT_BINARY_DIR}/generated)
  target_link_libraries(mpcc_${L_NAME} PUBLIC ${L_DEPS} PRIVATE ${L_PRIVATE_DEPS})
  mpcc_apply_flags(mpcc_${L_NAME})
  mpcc_apply_unity(mpcc_${L_NAME})
  if(MPCC_PCH)
    target_link_libraries(mpcc_${L_NAME} PRIVATE ${MPCC_PCH_DEPS})
    target_precompile_headers(mpcc_${L_NAME} REUSE_FROM mpcc_pch_library)
    mpcc_pch_skip_sources(${L_SRCS})
  endif()
endfunction()

set(MPCC_TEST_DEFINITIONS
    MPCC_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
    MPCC_VECTORS_DIR="${PROJECT_SOURCE_DIR}/../shared/vectors"
    MPCC_BINARY_DIR="${PROJECT_BINARY_DIR}")

# mpcc_test(NAME SRCS ... DEPS ... [LABELS ...] [ONE_ENTRY [TIMEOUT s]])
# One GoogleTest binary per library, registered with CTest (one entry per TEST).
# ONE_ENTRY registers the binary as a single CTest entry instead: for suites
# whose tests share an expensive environment (SetUpTestSuite: servers, keys),
# which one process per test would rebuild for every test.
function(mpcc_test)
  if(NOT MPCC_BUILD_TESTS)
    return()
  endif()
  cmake_parse_arguments(T "ONE_ENTRY" "NAME;TIMEOUT" "SRCS;DEPS;LABELS" ${ARGN})
  add_executable(${T_NAME} ${T_SRCS})
  target_link_libraries(${T_NAME} PRIVATE ${T_DEPS} GTest::gtest GTest::gtest_main GTest::gmock)
  target_compile_definitions(${T_NAME} PRIVATE ${MPCC_TEST_DEFINITIONS})
  mpcc_apply_flags(${T_NAME})
  mpcc_apply_unity(${T_NAME})
  if(MPCC_PCH)
    target_link_libraries(${T_NAME} PRIVATE ${MPCC_PCH_DEPS})
    target_precompile_headers(${T_NAME} REUSE_FROM mpcc_pch_test)
    mpcc_pch_skip_sources(${T_SRCS})
  endif()
  if(T_ONE_ENTRY)
    if(NOT T_TIMEOUT)
      set(T_TIMEOUT 600)
    endif()
    add_test(NAME ${T_NAME} COMMAND ${T_NAME})
    set_tests_properties(${T_NAME} PROPERTIES LABELS "${T_LABELS}" TIMEOUT ${T_TIMEOUT})
    return()
  endif()
  include(GoogleTest)
  gtest_discover_tests(${T_NAME} DISCOVERY_TIMEOUT 60 PROPERTIES LABELS "${T_LABELS}")
endfunction()
