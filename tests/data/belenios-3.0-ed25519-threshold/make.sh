#!/bin/bash
# make.sh — regenerates test-vector set A ("belenios-3.0-ed25519-threshold") from scratch,
# using only Belenios's own command-line tool, version 3.0 (belenios-tool 3.0+dfsg, Debian trixie).
#
#   ./make.sh OUTDIR        (OUTDIR is deleted and re-created)
#
# Tool: $BELENIOS_TOOL, else installed with the repository's tools/install-belenios-tool 3.0
# (tests/data/ is two levels below it). Needs bash, jq, python3, tar, sha256sum.
# Random values (UUID, credentials, keys, ballots) differ on every run; the plaintexts,
# the casting order and therefore the result are fixed (checked at the end).
#
# Scenario: group Ed25519; one homomorphic question (9 union lists, blank allowed,
# min 1, max 1); trustees = 1 Single (polling-station president, trustee-id 1) then one
# Pedersen group of 3 (2 needed; members 1,2,3 = trustee-ids 2,3,4); 30 voters,
# 30 ballots, no revote; partial decryptions from trustee-ids 1, 2 (member 1), 4 (member 3).
[ $# -eq 1 ] || { echo "usage: $0 OUTDIR" >&2; exit 2; }
SELF=$(realpath "$0")
OUT=$(realpath -m "$1")
KEEP=$(mktemp -d); cp "$SELF" "$KEEP/make.sh"   # keep make.sh and MANIFEST.md across the rm -rf of OUTDIR
for m in "$OUT/MANIFEST.md" "$(dirname "$SELF")/MANIFEST.md"; do [ ! -f "$m" ] || { cp "$m" "$KEEP/"; break; }; done
# ---------------------------------------------------------------------------
# Common part: one complete Belenios election driven only by belenios-tool 3.0.
# (This block is identical in every make.sh of the test-vector sets.)
# ---------------------------------------------------------------------------
set -euo pipefail
export LC_ALL=C.UTF-8 PYTHONDONTWRITEBYTECODE=1

# --- the tool: Debian trixie's belenios-tool 3.0, through its wrapper
find_tool () {
    if [ -n "${BELENIOS_TOOL:-}" ]; then echo "$BELENIOS_TOOL"; return; fi
    local inst; inst=$(dirname "$SELF")/../../../tools/install-belenios-tool
    if [ -x "$inst" ]; then "$inst" 3.0 | tail -n1; return; fi
    echo "belenios-tool 3.0 not found: set BELENIOS_TOOL" >&2; exit 1
}
T=$(find_tool)
case "$($T --version)" in 3.0*) ;; *) echo "need belenios-tool 3.0, got $($T --version)" >&2; exit 1 ;; esac

# run [-i IN] [-o OUT | -a OUT] [-e ERR | -E] CMD... : log the command with its redirections
# (tool path shortened, paths relative to $OUT) in commands.log, then run it.
#   -i IN: stdin from IN (default /dev/null); -o/-a OUT: stdout to / appended to OUT; -e ERR: stderr to ERR; -E: 2>&1
run () {
    local in=/dev/null o="" a="" e="" both="" redir=""
    while :; do case $1 in
        -i) in=$2; redir+=" < $2"; shift 2 ;;
        -o) o=$2; redir+=" > $2"; shift 2 ;;
        -a) a=$2; redir+=" >> $2"; shift 2 ;;
        -e) e=$2; redir+=" 2> $2"; shift 2 ;;
        -E) both=1; redir+=" 2>&1"; shift ;;
        *) break ;;
    esac; done
    local line="$*$redir" rel=${PWD#"$OUT"}
    line=${line//$T/belenios-tool-3}
    line=${line//$OUT\//}
    [ -z "$rel" ] || line="(cd ${rel#/} && $line)"
    echo "+ $line" >> "$OUT/commands.log"
    exec 8>&1 9>&2
    [ -z "$o" ] || exec 8>"$o"
    [ -z "$a" ] || exec 8>>"$a"
    [ -z "$e" ] || exec 9>"$e"
    [ -z "$both" ] || exec 9>&8
    "$@" < "$in" >&8 2>&9
    local rc=$?
    exec 8>&- 9>&-
    return $rc
}
note () { echo "# $*" >> "$OUT/commands.log"; }
say () { echo "[$(date +%T)] $*" >&2; }
now () { date +%s.%N; }
# timed STEP CMD... : run CMD, append "STEP<TAB>seconds" to checks/timings.tsv
timed () {
    local step=$1 t0 t1; shift
    t0=$(now); "$@"; t1=$(now)
    awk -v s="$step" -v a="$t0" -v b="$t1" 'BEGIN{printf "%s\t%.3f\n", s, b-a}' >> "$OUT/checks/timings.tsv"
}

# election: needs OUT NAME GROUP TEMPLATE NVOTERS SINGLES TH_N TH_K PLAN DECRYPT_MEMBERS [PARALLEL]
#   TEMPLATE        : election template JSON (string)
#   NVOTERS         : number of voters (logins voter001 ...)
#   SINGLES         : number of Single trustees (trustee-ids 1..SINGLES)
#   TH_N / TH_K     : Pedersen group size / number of trustees needed (TH_N=0: none);
#                     member m has trustee-id SINGLES+m
#   PLAN            : file, one line per ballot in casting order: "<seq> <login> <plaintext>"
#   DECRYPT_MEMBERS : Pedersen members (1-based) who publish a partial decryption
#   PARALLEL        : if >1, ballots are generated in parallel (then added in order)
election () {
    rm -rf "$OUT"; mkdir -p "$OUT"; cd "$OUT"
    : > commands.log
    mkdir -p setup credentials trustees ballots tally checks archive-setup-only work
    note "belenios-tool-3 = $T ; version: $($T --version)"
    note "paths are relative to the set directory; every command below was run from there"
    printf 'step\twall_seconds\n' > checks/timings.tsv
    local g="--group $GROUP"

    say "[$NAME] setup"
    UUID=$(run $T setup generate-token); echo "$UUID" > uuid.txt
    printf '%s\n' "$TEMPLATE" > template.json
    for i in $(seq -f '%03g' 1 "$NVOTERS"); do echo "voter$i@example.org,voter$i"; done > voters.txt
    run -o credentials/generate-credentials.out $T setup generate-credentials --dir work --uuid "$UUID" $g --file voters.txt
    mv work/*.privcreds credentials/private_creds.json
    mv work/*.pubcreds setup/public_creds.json
    jq -r 'to_entries[]|"\(.key) \(.value)"' credentials/private_creds.json > credentials/private_creds.txt

    : > setup/public_keys.jsons
    for i in $(seq 1 "$SINGLES"); do
        mkdir -p trustees/single-$i
        ( cd trustees/single-$i && run -o generate.out $T setup generate-trustee-key $g )
        cat trustees/single-$i/*.pubkey >> setup/public_keys.jsons
    done
    if [ "$TH_N" -gt 0 ]; then
        local D=trustees/threshold; mkdir -p $D
        ( cd $D
          for m in $(seq 1 "$TH_N"); do
              run -o member-$m.id $T setup generate-trustee-key-threshold $g --threshold-context $m/$TH_K/$TH_N --step 1
          done
          for m in $(seq 1 "$TH_N"); do cat "$(cat member-$m.id).cert"; done > certs.jsons
          run $T setup generate-trustee-key-threshold $g --certs certs.jsons --step 2
          for m in $(seq 1 "$TH_N"); do
              run -a polynomials.jsons $T setup generate-trustee-key-threshold $g --threshold-context $m/$TH_K/$TH_N --certs certs.jsons --key "$(cat member-$m.id).key" --step 3
          done
          run $T setup generate-trustee-key-threshold $g --certs certs.jsons --step 4 --polynomials polynomials.jsons
          for m in $(seq 1 "$TH_N"); do
              id=$(cat member-$m.id)
              run -i $id.vinput -o $id.voutput $T setup generate-trustee-key-threshold $g --certs certs.jsons --key $id.key --step 5
          done
          for m in $(seq 1 "$TH_N"); do cat "$(cat member-$m.id).voutput"; done > voutputs.jsons
          run -i voutputs.jsons -o threshold.json $T setup generate-trustee-key-threshold $g --certs certs.jsons --step 6 --polynomials polynomials.jsons
          for m in $(seq 1 "$TH_N"); do printf '%s\t%s\t%s\n' $m $((SINGLES + m)) "$(cat member-$m.id)"; done > members.tsv
        ) 2> work/threshold.err
        cp $D/threshold.json setup/threshold.json
    fi
    run $T setup make-trustees --dir setup
    run $T setup make-election --dir setup --uuid "$UUID" $g --template template.json
    run $T archive init --dir . --election setup/election.json --trustees setup/trustees.json --public-creds setup/public_creds.json
    cp "$UUID.bel" archive-setup-only/
    note "archive-setup-only/$UUID.bel = copy of the archive right after 'archive init' (Setup event only)"

    say "[$NAME] ballots ($(wc -l < "$PLAN") in plan)"
    cp "$PLAN" ballots/choices.txt
    local n=0 seq login choice cred
    gen_ballots () {
    if [ "${PARALLEL:-1}" -gt 1 ]; then
        # generate all ballots first (in parallel, against the setup-only archive), then cast in order
        mkdir -p work/in
        while read -r seq login choice; do
            jq -r --arg l "$login" '.[$l]' credentials/private_creds.json > work/in/$seq.cred
            echo "$choice" > work/in/$seq.choice
        done < "$PLAN"
        note "for each ballot SEQ (in parallel, $PARALLEL jobs): work/in/SEQ.cred = credential of the voter, work/in/SEQ.choice = plaintext"
        note "belenios-tool-3 election generate-ballot --dir archive-setup-only --privcred work/in/SEQ.cred --choice work/in/SEQ.choice > ballots/SEQ.json"
        cut -d' ' -f1 "$PLAN" | xargs -P "$PARALLEL" -I{} sh -c \
            "'$T' election generate-ballot --dir archive-setup-only --privcred work/in/{}.cred --choice work/in/{}.choice > ballots/{}.json 2>/dev/null"
    else
        while read -r seq login choice; do
            jq -r --arg l "$login" '.[$l]' credentials/private_creds.json > work/cred.txt
            echo "$choice" > work/choice.json
            note "ballot $seq: voter $login, plaintext $choice (work/cred.txt = credentials/private_creds.json[$login])"
            run -o ballots/$seq.json -e /dev/null $T election generate-ballot --dir . --privcred work/cred.txt --choice work/choice.json
        done < "$PLAN"
    fi
    }
    timed "generate-ballot x$(wc -l < "$PLAN") (parallel=${PARALLEL:-1})" gen_ballots
    printf 'seq\tvoter\tplaintext\ttracker_sha256_b64\tarchive_record_sha256_hex\n' > ballots/trackers.tsv
    while read -r seq login choice; do
        test -s ballots/$seq.json || { echo "ballot $seq missing" >&2; exit 1; }
        local tr hx
        tr=$(printf '%s' "$(cat ballots/$seq.json)" | $T sha256-b64)
        hx=$(printf '%s' "$(cat ballots/$seq.json)" | sha256sum | cut -d' ' -f1)
        printf '%s\t%s\t%s\t%s\t%s\n' "$seq" "$login" "$choice" "$tr" "$hx" >> ballots/trackers.tsv
    done < "$PLAN"
    add_ballots () {
        while read -r seq login choice; do
            run -i ballots/$seq.json $T archive add-event --dir . --type=Ballot
        done < "$PLAN"
    }
    timed "archive add-event --type=Ballot x$(wc -l < "$PLAN")" add_ballots
    note "tracker of a ballot = printf %s \"\$(cat ballots/SEQ.json)\" | belenios-tool-3 sha256-b64 (recorded in ballots/trackers.tsv)"

    say "[$NAME] verify-ballot on every ballot (against archive-setup-only/)"
    : > checks/verify-ballot.log
    note "for each ballot: belenios-tool-3 election verify-ballot --dir archive-setup-only --ballot ballots/SEQ.json (output in checks/verify-ballot.log)"
    verify_all_ballots () {
        local out
        while read -r seq login choice; do
            if out=$($T election verify-ballot --dir archive-setup-only --ballot ballots/$seq.json 2>&1); then
                echo "$seq OK $(echo "$out" | tail -n1)" >> checks/verify-ballot.log
            else
                echo "$seq FAIL $(echo "$out" | tail -n1 | cut -c1-200)" >> checks/verify-ballot.log
            fi
        done < "$PLAN"
    }
    timed "verify-ballot x$(wc -l < "$PLAN") (sequential, one process per ballot)" verify_all_ballots
    ! grep -q FAIL checks/verify-ballot.log || { echo "some ballots failed verify-ballot" >&2; exit 1; }
    timed "election verify (all ballots cast, before tally)" run -o checks/verify-before-tally.log -E $T election verify --dir .

    say "[$NAME] tally"
    run -i /dev/null $T archive add-event --dir . --type=EndBallots
    timed "election compute-encrypted-tally" run -o tally/compute-encrypted-tally.out $T election compute-encrypted-tally --dir .
    sed -n 1p tally/compute-encrypted-tally.out > tally/encrypted_tally.json
    sed -n 2p tally/compute-encrypted-tally.out > tally/sized_encrypted_tally.json
    run -i tally/compute-encrypted-tally.out $T archive add-event --dir . --type=EncryptedTally
    for i in $(seq 1 "$SINGLES"); do
        run -o tally/decrypt.trustee-$i.out $T election decrypt --dir . --privkey trustees/single-$i/*.privkey --trustee-id $i
        run -i tally/decrypt.trustee-$i.out $T archive add-event --dir . --type=PartialDecryption
    done
    for m in $DECRYPT_MEMBERS; do
        local id tid=$((SINGLES + m))
        id=$(cat trustees/threshold/member-$m.id)
        run -o tally/decrypt.trustee-$tid.out $T election decrypt-threshold --dir . --key trustees/threshold/$id.key --decryption-key trustees/threshold/$id.dkey --trustee-id $tid
        run -i tally/decrypt.trustee-$tid.out $T archive add-event --dir . --type=PartialDecryption
    done
    for f in tally/decrypt.trustee-*.out; do
        local k=${f#tally/decrypt.trustee-}; k=${k%.out}
        sed -n 1p "$f" > tally/partial_decryption.trustee-$k.json
        sed -n 2p "$f" > tally/owned.trustee-$k.json
    done
    timed "election compute-result" run -o result.json $T election compute-result --dir .
    run -i result.json $T archive add-event --dir . --type=Result

    say "[$NAME] final checks"
    timed "election verify (final archive)" run -o checks/verify.log -E $T election verify --dir .
    cat checks/verify.log >&2
    run -o checks/checksums.json -e /dev/null $T election compute-checksums --dir .
    run -o checks/ballot-summary.json -e /dev/null $T election compute-ballot-summary --dir .
    run -o checks/voters-who-voted.txt -e /dev/null $T election compute-voters --dir . --privcreds credentials/private_creds.json
    tar -tvf "$UUID.bel" > checks/archive-listing.txt
    # expected result from the plan (last ballot of each voter counts)
    python3 - "$PLAN" > expected_result.json <<'EOF'
import json, sys
last = {}
for line in open(sys.argv[1]):
    seq, login, pt = line.split(None, 2)
    last.pop(login, None); last[login] = json.loads(pt)
res = None
for pt in last.values():
    res = [[0] * len(q) for q in pt] if res is None else res
    for i, q in enumerate(pt):
        for j, v in enumerate(q):
            res[i][j] += v
print(json.dumps({"result": res}, separators=(",", ":")))
EOF
    test "$(jq -c .result result.json)" = "$(jq -c .result expected_result.json)" \
        || { echo "UNEXPECTED RESULT: $(cat result.json) vs $(cat expected_result.json)" >&2; exit 1; }
    grep -q "I: all checks passed" checks/verify.log || { echo "verify failed" >&2; exit 1; }
    if python3 -c 'import cryptography' 2>/dev/null; then
        note "python3 (not belenios-tool): decrypt the .dkey files -> trustees/threshold/shares.tsv, check g^x of every private key"
        python3 - "$OUT" <<'PYEOF' >&2
# Decrypts the Pedersen members' .dkey files (belenios-tool 3.0 PKI: ElGamal + AES-CCM,
# tag 64 bits, nonce = first 13 bytes of SHA256("iv|"+alpha)) to recover each member's
# decryption-key share, and checks g^share against the verification key published in
# trustees.json; also checks g^x for the Single private keys.  Not part of belenios-tool.
# Usage: python3 - SETDIR   (reads trustees/threshold/members.tsv, trustees/single-*/…)
import glob, hashlib, json, os, sys
from cryptography.hazmat.primitives.ciphers.aead import AESCCM
P = 2**255 - 19
Q = 2**252 + 27742317777372353535851937790883648493
D = (-121665 * pow(121666, -1, P)) % P
G = (15112221349535400772501151409588531511454012693041857206046113283949847762202,
     46316835694926478169428394003475163141307993866256225615783033603165251855960)
def add(a, b):
    (x1, y1), (x2, y2) = a, b
    t = D * x1 * x2 * y1 * y2 % P
    return ((x1 * y2 + y1 * x2) * pow(1 + t, -1, P) % P, (y1 * y2 + x1 * x2) * pow(1 - t, -1, P) % P)
def mul(a, n):
    r = (0, 1)
    while n:
        if n & 1: r = add(r, a)
        a = add(a, a); n >>= 1
    return r
def enc(a):
    return "%064x" % (a[1] ^ ((a[0] & 1) << 255))
def dec(s):
    z = int(s, 16); y = z & ((1 << 255) - 1)
    x2 = (y * y - 1) * pow(D * y * y + 1, -1, P) % P
    x = pow(x2, (P + 3) // 8, P)
    if x * x % P != x2: x = x * pow(2, (P - 1) // 4, P) % P
    assert x * x % P == x2, "not a point"
    if (x & 1) != (z >> 255): x = P - x
    return (x, y)
def h(s): return hashlib.sha256(s.encode()).hexdigest()
d = sys.argv[1]
trustees = json.load(open(os.path.join(d, "setup/trustees.json")))
singles = [t for k, t in trustees if k == "Single"]
peds = [t for k, t in trustees if k == "Pedersen"]
out = ["member\ttrustee_id\tpki_seed_file\tsk=H(sk|seed) mod q\tdk=H(dk|seed) mod q\tdecryption_key_share\tverification_key (= g^share, from trustees.json)"]
for i, t in enumerate(singles, 1):
    x = int(json.load(open(glob.glob(os.path.join(d, "trustees/single-%d/*.privkey" % i))[0])))
    assert enc(mul(G, x)) == t["public_key"], "single %d" % i
if peds:
    vks = [v["public_key"] for v in peds[0]["verification_keys"]]
    for line in open(os.path.join(d, "trustees/threshold/members.tsv")):
        m, tid, cid = line.split()
        seed = open(os.path.join(d, "trustees/threshold/%s.key" % cid)).read().strip()
        sk, dk = int(h("sk|" + seed), 16) % Q, int(h("dk|" + seed), 16) % Q
        em = json.loads(open(os.path.join(d, "trustees/threshold/%s.dkey" % cid)).read())
        alpha, beta = dec(em["alpha"]), dec(em["beta"])
        gs = add(beta, mul(alpha, Q - dk))            # beta / alpha^dk
        key = bytes.fromhex(h("key|" + enc(gs)))
        nonce = bytes.fromhex(h("iv|" + em["alpha"]))[:13]
        signed = json.loads(AESCCM(key, tag_length=8).decrypt(nonce, bytes.fromhex(em["data"]), None))
        chan = json.loads(signed["message"])          # {"recipient": ek, "message": "..."}
        assert chan["recipient"] == enc(mul(G, dk))
        share = int(json.loads(chan["message"])["decryption_key"])
        assert enc(mul(G, share)) == vks[int(m) - 1], "member %s" % m
        out.append("\t".join([m, tid, cid + ".key", str(sk), str(dk), str(share), vks[int(m) - 1]]))
    open(os.path.join(d, "trustees/threshold/shares.tsv"), "w").write("\n".join(out) + "\n")
print("dkey.py: Single keys and %d threshold shares checked" % (len(out) - 1))
PYEOF
    else
        note "python3 'cryptography' missing: trustees/threshold/shares.tsv not produced"
    fi
    rm -rf work
    say "[$NAME] done: $OUT/$UUID.bel  result $(cat result.json)"
}

# ---------------------------------------------------------------------------
# Set A parameters
# ---------------------------------------------------------------------------
NAME=A GROUP=Ed25519 NVOTERS=30 SINGLES=1 TH_N=3 TH_K=2 DECRYPT_MEMBERS="1 3" PARALLEL=1
LISTS='"Liste A – Union 1","Liste B – Union 2","Liste C – Union 3","Liste D – Union 4","Liste E – Union 5","Liste F – Union 6","Liste G – Union 7","Liste H – Union 8","Liste I – Union 9"'
TEMPLATE='{"description":"Vecteurs de test Belenios 3.0 / Ed25519 : scrutin de liste syndicale, président du bureau de vote (clé Single) et 3 assesseurs (clé à seuil Pedersen, 2 sur 3).","name":"Élection CSE 2026 – collège unique (test)","questions":[{"answers":['"$LISTS"'],"blank":true,"min":1,"max":1,"question":"Pour quelle liste votez-vous ?"}]}'
PLAN=$(mktemp)
# casting order; plaintext = [[blank, Liste A, ..., Liste I]]
# expected: blank 6, A 7, B 5, C 4, D 3, E 3, F 1, G 1, H 0, I 0
cat > "$PLAN" <<'PLANEOF'
001 voter003 [[1,0,0,0,0,0,0,0,0,0]]
002 voter010 [[0,1,0,0,0,0,0,0,0,0]]
003 voter016 [[0,1,0,0,0,0,0,0,0,0]]
004 voter001 [[0,0,0,0,0,1,0,0,0,0]]
005 voter009 [[0,0,0,0,1,0,0,0,0,0]]
006 voter019 [[0,0,0,0,0,1,0,0,0,0]]
007 voter024 [[0,0,1,0,0,0,0,0,0,0]]
008 voter029 [[0,0,0,0,0,0,0,1,0,0]]
009 voter015 [[0,0,0,0,1,0,0,0,0,0]]
010 voter007 [[0,0,0,0,1,0,0,0,0,0]]
011 voter013 [[1,0,0,0,0,0,0,0,0,0]]
012 voter026 [[0,1,0,0,0,0,0,0,0,0]]
013 voter025 [[0,0,0,1,0,0,0,0,0,0]]
014 voter002 [[1,0,0,0,0,0,0,0,0,0]]
015 voter023 [[0,0,1,0,0,0,0,0,0,0]]
016 voter005 [[0,0,1,0,0,0,0,0,0,0]]
017 voter012 [[0,0,1,0,0,0,0,0,0,0]]
018 voter008 [[0,1,0,0,0,0,0,0,0,0]]
019 voter011 [[1,0,0,0,0,0,0,0,0,0]]
020 voter027 [[1,0,0,0,0,0,0,0,0,0]]
021 voter014 [[0,0,1,0,0,0,0,0,0,0]]
022 voter006 [[0,1,0,0,0,0,0,0,0,0]]
023 voter004 [[0,0,0,1,0,0,0,0,0,0]]
024 voter021 [[0,1,0,0,0,0,0,0,0,0]]
025 voter030 [[0,0,0,1,0,0,0,0,0,0]]
026 voter020 [[0,0,0,0,0,0,1,0,0,0]]
027 voter017 [[1,0,0,0,0,0,0,0,0,0]]
028 voter028 [[0,0,0,1,0,0,0,0,0,0]]
029 voter022 [[0,0,0,0,0,1,0,0,0,0]]
030 voter018 [[0,1,0,0,0,0,0,0,0,0]]
PLANEOF

election
rm -f "$PLAN"

# Quirk check (recorded, not an error): verify-ballot against the *final* archive rejects a
# ballot that is already in it (DuplicateBallot) — hence verify-ballot is run against
# archive-setup-only/ above.
note "quirk demo: belenios-tool-3 election verify-ballot --dir . --ballot ballots/001.json (ballot already in the archive)"
$T election verify-ballot --dir . --ballot ballots/001.json > checks/verify-ballot-in-final-archive.log 2>&1 || true
cp "$KEEP"/* "$OUT/"; rm -rf "$KEEP"
echo "set A written to $OUT"
