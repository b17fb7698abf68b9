#!/bin/bash -eu
# ClusterFuzzLite shares the OSS-Fuzz build: one script, oss-fuzz/build.sh.
exec bash -eu "$SRC/restab/oss-fuzz/build.sh" "$@"
