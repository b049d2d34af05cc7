#!/bin/sh
#
# build.sh: the Java SDK on this machine (no Gradle, no NDK): the classes
# into OUT/classes and OUT/tentacle-sdk.jar (Java 8 class files), the JNI
# headers javac writes into OUT/include, and the glue
# OUT/lib/libtentacle_jni.so linked against libtentacle.so.1, which is
# copied beside it (rpath $ORIGIN: OUT/lib is self-contained).
#
#	sh sdk/java/build.sh [OUT]
#	java -Djava.library.path=OUT/lib -cp OUT/tentacle-sdk.jar:... Main
#
# OUT defaults to sdk/java/build.  The library comes from TENTACLE_LIBDIR
# (default: the top of the tree, where make builds libtentacle.so).
# JAVA_HOME (its bin/javac) defaults to the JDK of the javac on PATH;
# CC to gcc.
# Android builds with Gradle and the NDK instead (sdk/java/README.md).
#

set -e

say() { printf 'build.sh: %s\n' "$*" >&2; }

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
out=${1:-$here/build}
libdir=${TENTACLE_LIBDIR:-$top}
cc=${CC:-gcc}

if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/javac" ]; then
	javac=$JAVA_HOME/bin/javac
elif javac=$(command -v javac); then
	JAVA_HOME=$(dirname "$(dirname "$(readlink -f "$javac")")")
else
	say "javac not found: install a JDK (sh scripts/install-deps:" \
	    "default-jdk-headless)"
	exit 1
fi
if [ ! -f "$JAVA_HOME/include/jni.h" ]; then
	say "no $JAVA_HOME/include/jni.h: set JAVA_HOME to a JDK"
	exit 1
fi
lib=$libdir/libtentacle.so
if [ ! -e "$lib" ]; then
	say "no $lib: run make at the top of the tree (or set TENTACLE_LIBDIR)"
	exit 1
fi
mkdir -p "$out"
out=$(cd "$out" && pwd)

# Java 8 class files (Android's floor); --release needs JDK 9+.
if "$javac" --release 8 -version >/dev/null 2>&1; then
	rel="--release 8"
else
	rel="-source 8 -target 8"
fi
rm -rf "$out/classes" "$out/include"
mkdir -p "$out/classes" "$out/include" "$out/lib"
# shellcheck disable=SC2046,SC2086
"$javac" $rel -Xlint:all -Xlint:-options -encoding UTF-8 \
    -d "$out/classes" -h "$out/include" \
    $(find "$here/src/main/java" -name '*.java' | sort)
jar=$JAVA_HOME/bin/jar
[ -x "$jar" ] || jar=jar
(cd "$out/classes" && "$jar" cf "$out/tentacle-sdk.jar" org)

# The library beside the glue, under its soname (what the glue's NEEDED
# entry names).
real=$(readlink -f "$lib")
cp -f "$real" "$out/lib/libtentacle.so.1"
ln -sf libtentacle.so.1 "$out/lib/libtentacle.so"

os=$(uname -s | tr '[:upper:]' '[:lower:]')
# shellcheck disable=SC2016
$cc -shared -fPIC -O2 -std=c99 -Wall -Wextra -Werror \
    -DTENTACLE_JNI_HEADERS -I"$out/include" \
    -I"$JAVA_HOME/include" -I"$JAVA_HOME/include/$os" -I"$top/include" \
    -o "$out/lib/libtentacle_jni.so" "$here/jni/tentacle_jni.c" \
    -L"$out/lib" -ltentacle -lpthread -Wl,-rpath,'$ORIGIN' \
    -Wl,--no-undefined
say "built $out/tentacle-sdk.jar $out/lib/libtentacle_jni.so"
