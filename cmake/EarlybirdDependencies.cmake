# Every third-party dependency, each found once here, and each failure names the Debian package that fixes it.
# scripts/run and scripts/test install the same list (scripts/packages.txt) before configuring.

include(FindPkgConfig OPTIONAL RESULT_VARIABLE _earlybird_have_pkgconfig)

macro(earlybird_missing what debian_package)
    message(FATAL_ERROR
        "Earlybird needs ${what}, which was not found.\n"
        "On Debian 12 install it with:\n"
        "    sudo apt-get install ${debian_package}\n"
        "(scripts/run and scripts/test install every missing package for you when run as root.)")
endmacro()

find_package(Qt6 6.4 QUIET COMPONENTS Core Gui Widgets Concurrent Test)
if(NOT Qt6_FOUND OR NOT Qt6Widgets_FOUND OR NOT Qt6Concurrent_FOUND OR NOT Qt6Test_FOUND)
    earlybird_missing("Qt 6 (Core, Widgets, Concurrent, Test)" "qt6-base-dev")
endif()
find_package(Qt6 6.4 QUIET COMPONENTS Charts)
if(NOT Qt6Charts_FOUND)
    earlybird_missing("Qt 6 Charts" "qt6-charts-dev")
endif()
find_package(Qt6 6.4 QUIET COMPONENTS Svg)
if(NOT Qt6Svg_FOUND)
    earlybird_missing("Qt 6 Svg (SVG export of graphs)" "qt6-svg-dev")
endif()

find_package(Torch QUIET)
if(NOT Torch_FOUND)
    earlybird_missing("LibTorch (set Torch_DIR for a CUDA build of your own)" "libtorch-dev")
endif()

find_package(nlohmann_json 3.11 QUIET)
if(NOT nlohmann_json_FOUND)
    earlybird_missing("nlohmann_json 3.11" "nlohmann-json3-dev")
endif()

find_package(CLI11 2.1 QUIET CONFIG)
if(NOT CLI11_FOUND)
    earlybird_missing("CLI11 2.1 (earlybird-cli's options)" "libcli11-dev")
endif()

find_package(SQLite3 QUIET)
if(NOT SQLite3_FOUND)
    earlybird_missing("SQLite 3 (the session store)" "libsqlite3-dev")
endif()

find_package(ZLIB QUIET)
if(NOT ZLIB_FOUND)
    earlybird_missing("zlib" "zlib1g-dev")
endif()

find_package(JPEG QUIET)
if(NOT JPEG_FOUND)
    earlybird_missing("libjpeg-turbo (JPEG files in image folder data sets)" "libjpeg62-turbo-dev")
endif()

if(NOT PKG_CONFIG_FOUND)
    earlybird_missing("pkg-config (to find libmatio)" "pkg-config")
endif()
pkg_check_modules(MATIO QUIET IMPORTED_TARGET matio)
if(NOT MATIO_FOUND)
    earlybird_missing("libmatio (SVHN .mat files)" "libmatio-dev")
endif()

if(EARLYBIRD_BUILD_BENCHMARKS)
    find_package(benchmark QUIET)
    if(NOT benchmark_FOUND)
        earlybird_missing("Google Benchmark (or configure with -DEARLYBIRD_BUILD_BENCHMARKS=OFF)" "libbenchmark-dev")
    endif()
endif()

# Branch training over MPI ranks (mpirun -np N earlybird-cli search ...). Without it, earlybird-cli refuses to run
# under mpirun and says why.
option(EARLYBIRD_WITH_MPI "Build earlybird-cli with MPI branch training (OpenMPI)" ON)
if(EARLYBIRD_WITH_MPI)
    find_package(MPI QUIET COMPONENTS CXX)
    if(NOT MPI_CXX_FOUND)
        earlybird_missing("MPI (or configure with -DEARLYBIRD_WITH_MPI=OFF)" "libopenmpi-dev openmpi-bin")
    endif()
endif()
