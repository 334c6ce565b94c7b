#!/bin/sh
# A search that runs out of room, or whose session folder is read-only, stops with a clear error naming the session
# store, and the session saved so far stays readable.
#   check_disk_limits.sh CLI file-size  a size-limited file (RLIMIT_FSIZE, writes fail with EFBIG); then resumes
#                                       without the limit and must end where an uninterrupted run ends
#   check_disk_limits.sh CLI tmpfs      a 600 kB tmpfs (ENOSPC) and a read-only mount, in a user and mount namespace
#                                       (unshare -rm); exit 77 (skipped) where namespaces are not allowed
set -u
cli="$1"
mode="$2"
if [ "$mode" = tmpfs-inside ]; then
    work="$3" # the namespace's mounts vanish with it, so every check runs inside it
else
    work=$(mktemp -d /tmp/earlybird-disk.XXXXXX)
    trap 'rm -rf "$work"' EXIT
fi
search="--dataset synthetic --path classes=4,train=400,test=200,seed=3 --population 4 --generations 2 --epochs 2"
# --compose 64: a store that outgrows the 300 kB limit and the 600 kB tmpfs well before the run ends (this tiny space
# runs out of new candidates sooner with the default 256, and its store ends near the limit).
search="$search --branch-epochs 2 --time-budget 0 --compose 64"
fail() {
    echo "FAIL: $*"
    exit 1
}
count() { # candidates in a session, via session export
    "$cli" session export "$1" | python3 -c 'import json, sys; print(len(json.load(sys.stdin)["archive"]))'
}
# expect_error NAME EXIT LOG PATTERN: the run exited with 1 and its last line on stderr matches the shell pattern.
expect_error() {
    message=$(tail -1 "$3")
    echo "$1: exit $2: $message"
    [ "$2" -eq 1 ] || fail "exit code $2, not 1"
    # shellcheck disable=SC2254
    case "$message" in
    $4) ;;
    *) fail "the error does not name the store and the cause" ;;
    esac
}

case "$mode" in
file-size)
    # shellcheck disable=SC2086
    "$cli" search $search --cache "$work/cache" --out "$work/reference" >/dev/null 2>"$work/reference.log" ||
        fail "the reference run failed: $(tail -1 "$work/reference.log")"
    expected=$(count "$work/reference")
    # SIGXFSZ ignored, so that a write past the limit fails with EFBIG as a full disk fails with ENOSPC.
    sh -c "trap '' XFSZ; exec prlimit --fsize=300000 \"$cli\" search $search --cache \"$work/cache\" \
        --out \"$work/limited\"" >/dev/null 2>"$work/limited.log"
    expect_error "limited run" $? "$work/limited.log" "*$work/limited/session.db*File too large*no room to save*"
    saved=$(count "$work/limited") || fail "the session saved before the error does not open"
    echo "saved before the error: $saved of $expected candidates"
    [ "$saved" -gt 0 ] && [ "$saved" -lt "$expected" ] || fail "expected some but not all candidates saved"
    "$cli" search --cache "$work/cache" --out "$work/limited" --resume >/dev/null 2>"$work/resume.log" ||
        fail "resuming without the limit failed: $(tail -1 "$work/resume.log")"
    resumed=$(count "$work/limited")
    echo "after resuming without the limit: $resumed candidates"
    [ "$resumed" -eq "$expected" ] || fail "the resumed run ends with $resumed candidates, the reference with $expected"
    ;;
tmpfs)
    unshare -rm true 2>/dev/null || {
        echo "skipped: this machine does not allow user and mount namespaces (unshare -rm)"
        exit 77
    }
    unshare -rm sh "$0" "$cli" tmpfs-inside "$work"
    ;;
tmpfs-inside)
    mkdir -p "$work/full" "$work/ro"
    mount -t tmpfs -o size=600k tmpfs "$work/full" || fail "cannot mount a tmpfs"
    # shellcheck disable=SC2086
    "$cli" search $search --cache "$work/cache" --out "$work/full/s" >/dev/null 2>"$work/full.log"
    expect_error "full disk" $? "$work/full.log" "*$work/full/s/session.db*full*no room to save*"
    saved=$(count "$work/full/s") || fail "the session saved before the disk filled does not open"
    echo "saved before the disk filled: $saved candidates"
    [ "$saved" -gt 0 ] || fail "nothing was saved"

    mount -t tmpfs -o size=8m tmpfs "$work/ro" || fail "cannot mount a tmpfs"
    # shellcheck disable=SC2086
    "$cli" search $search --generations 1 --cache "$work/cache" --out "$work/ro/s" >/dev/null 2>&1 ||
        fail "the run to make a session failed"
    before=$(count "$work/ro/s")
    mount -o remount,ro "$work/ro" || fail "cannot make the tmpfs read-only"
    "$cli" search --cache "$work/cache" --out "$work/ro/s" --resume >/dev/null 2>"$work/ro.log"
    expect_error "read-only folder, resume" $? "$work/ro.log" "*$work/ro/s/session.db*read-only*"
    after=$(count "$work/ro/s") || fail "the read-only session does not open"
    echo "the read-only session opens: $after candidates (before: $before)"
    [ "$after" -eq "$before" ] || fail "candidates changed"
    ;;
*) fail "unknown mode $mode" ;;
esac
