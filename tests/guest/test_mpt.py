"""The guest's partial trie over the preimage oracle (guest/src/mpt.c, guest/src/oracle.c), natively
under ASan/UBSan, against py-trie's HexaryTrie.

Each case builds a trie with py-trie, gives the driver's oracle the nodes of py-trie's database and
the guest the root alone, then runs the same gets, puts and deletes on both: gets agree, roots agree
after every batch, and the oracle keys the guest reads are a subset of the node keys py-trie reads
for the same operations (the witness property: a witness recorded from a client that reads through
py-trie, as A does, holds every node the guest needs).
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from core_driver import NativeDriver, frame
from Crypto.Hash import keccak
from hypothesis import given, settings
from hypothesis import strategies as st
from mpt_driver import (
    OP_ORACLE_CLEAR,
    OP_ORACLE_READ,
    PREIMAGES_HOST_MISSING_EXIT,
    RT_ABORT_PREIMAGE,
    RT_ABORT_TRIE_NODE,
    STEP_APPLY,
    STEP_DELETE,
    STEP_GET,
    STEP_PUT,
    STEP_REOPEN,
    STEP_ROOT,
    STEP_WRITE,
    RecordingDB,
    Step,
    build_fuzz_sampler,
    build_native,
    build_secure_trie,
    encode_steps,
    put_preimages,
    run,
    touched,
)
from trie import HexaryTrie
from trie.exceptions import ValidationError

EMPTY_ROOT = bytes.fromhex("56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421")
OP_MPT_RUN = 5


def keccak256(data: bytes) -> bytes:
    """pycryptodome's Keccak-256."""
    return keccak.new(digest_bits=256, data=data).digest()


@pytest.fixture(scope="module")
def mpt_exe(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The trie driver, built natively with sanitizers once per module."""
    return build_native(tmp_path_factory.mktemp("mpt"))


@pytest.fixture(scope="module")
def mpt(mpt_exe: Path) -> Iterator[NativeDriver]:
    """One long-lived driver process; a sanitizer report makes its exit nonzero at the end."""
    drv = NativeDriver(mpt_exe)
    yield drv
    drv.close()


def build(pairs: list[tuple[bytes, bytes]]) -> tuple[bytes, dict[bytes, bytes]]:
    """A py-trie trie of the pairs (in order; an empty value deletes): its root and node database."""
    db: dict[bytes, bytes] = {}
    t = HexaryTrie(db)
    for k, v in pairs:
        t.set(k, v)
    return t.root_hash, db


Batches = list[list[Step]]
Pairs = list[tuple[bytes, bytes]]
Answers = tuple[list[object], set[bytes]]


def client_get(t: HexaryTrie, key: bytes) -> bytes:
    """py-trie's get; b"" where py-trie 4.0 raises for a key that ends inside an extension's path
    (its traversal stops there and it refuses the remaining nibbles: the key is absent)."""
    try:
        return t.get(key)
    except ValidationError:
        return b""


def reference(db: dict[bytes, bytes], root: bytes, pairs: Pairs, batches: Batches) -> Answers:
    """py-trie's answers (as the driver gives them) for the batches, and the node keys it read;
    the answers are checked against a plain dict of the same writes."""
    rec = RecordingDB(db)
    t = HexaryTrie(rec, root_hash=root)
    model = {k: v for k, v in pairs}
    answers: list[object] = []
    for batch in batches:
        for kind, key, value in batch:
            if kind == STEP_GET:
                answers.append(client_get(t, key) or None)
                assert answers[-1] == (model.get(key) or None)
            elif kind == STEP_PUT:
                t.set(key, value)
                model[key] = value
            elif kind == STEP_DELETE:
                before = set(rec.reads)
                present = client_get(t, key) != b""   # the driver's answer; its reads are not the client's
                rec.reads = before
                t.delete(key)
                answers.append(present)
                assert present == bool(model.pop(key, b""))
        answers.append(t.root_hash)
    return answers, rec.reads


def check(mpt: NativeDriver, pairs: list[tuple[bytes, bytes]], batches: list[list[Step]]) -> set[bytes]:
    """Run the batches on the guest and py-trie from the trie of `pairs`; returns the guest's reads."""
    root, db = build(pairs)
    assert mpt.call(OP_ORACLE_CLEAR, b"") == (0, b"")
    put_preimages(mpt, db.items())
    touched(mpt)
    steps = [s for batch in batches for s in [*batch, (STEP_ROOT, b"", b"")]]
    got = run(mpt, root, steps)
    guest_reads = set(touched(mpt))
    want, client_reads = reference(dict(db), root, pairs, batches)
    assert got.answers == want
    assert got.oracle_reads == len(guest_reads)
    missing = guest_reads - client_reads
    assert not missing, f"the guest read {len(missing)} node(s) py-trie never read"
    return guest_reads


def test_oracle_read_every_length(mpt: NativeDriver) -> None:
    """Whole preimages around the 32-byte piece boundaries come back, checked by their hash."""
    datas = [bytes((i * 7 + n) & 0xFF for i in range(n)) for n in (0, 1, 31, 32, 33, 63, 64, 65, 532, 4097)]
    put_preimages(mpt, ((keccak256(d), d) for d in datas))
    for d in datas:
        assert mpt.call(OP_ORACLE_READ, keccak256(d)) == (0, d)


def test_wrong_preimage_aborts(mpt_exe: Path) -> None:
    """Bytes whose keccak256 is not the key: the guest refuses them (RT_ABORT_PREIMAGE)."""
    key = keccak256(b"the real preimage")
    requests = frame(1, (1).to_bytes(8, "little") + key + (5).to_bytes(8, "little") + b"other")
    requests += frame(OP_ORACLE_READ, key)
    done = subprocess.run([str(mpt_exe)], input=requests, capture_output=True, check=False)
    assert done.returncode == 100 + RT_ABORT_PREIMAGE
    assert f"rt_abort({RT_ABORT_PREIMAGE})" in done.stderr.decode()


def test_missing_preimage_names_the_key(mpt_exe: Path) -> None:
    """A node the oracle lacks stops the host with a one-line error naming its key."""
    root, _ = build([(b"\x01" * 32, b"x" * 40), (b"\x02" * 32, b"y" * 40)])
    requests = frame(OP_MPT_RUN, root + encode_steps([(STEP_GET, b"\x01" * 32, b"")]))
    done = subprocess.run([str(mpt_exe)], input=requests, capture_output=True, check=False)
    assert done.returncode == PREIMAGES_HOST_MISSING_EXIT
    assert done.stderr.decode().strip() == f"preimage oracle: missing key 0x{root.hex()}"


def test_bad_node_aborts(mpt_exe: Path) -> None:
    """An authentic preimage that is no trie node (a 3-item list) aborts with RT_ABORT_TRIE_NODE."""
    node = bytes([0xC3, 0x01, 0x02, 0x03])
    requests = frame(1, (1).to_bytes(8, "little") + keccak256(node) + (4).to_bytes(8, "little") + node)
    requests += frame(OP_MPT_RUN, keccak256(node) + encode_steps([(STEP_GET, b"k", b"")]))
    done = subprocess.run([str(mpt_exe)], input=requests, capture_output=True, check=False)
    assert done.returncode == 100 + RT_ABORT_TRIE_NODE


def test_empty_trie(mpt: NativeDriver) -> None:
    got = run(mpt, EMPTY_ROOT, [(STEP_GET, b"a", b""), (STEP_DELETE, b"a", b""), (STEP_ROOT, b"", b""),
                                (STEP_PUT, b"a", b"1"), (STEP_DELETE, b"a", b""), (STEP_ROOT, b"", b"")])
    assert got.answers == [None, False, EMPTY_ROOT, True, EMPTY_ROOT]
    assert got.oracle_reads == 0


def test_reads_follow_the_operations(mpt: NativeDriver) -> None:
    """A get in a 2,000-key trie reads only its path; the root of an unchanged trie reads nothing."""
    pairs = [(keccak256(i.to_bytes(4, "big")), b"v" * 40) for i in range(2000)]
    root, db = build(pairs)
    put_preimages(mpt, db.items())
    touched(mpt)
    got = run(mpt, root, [(STEP_ROOT, b"", b"")])
    assert got.answers == [root] and got.oracle_reads == 0
    got = run(mpt, root, [(STEP_GET, pairs[7][0], b"")])
    assert got.answers == [b"v" * 40]
    assert 3 <= got.oracle_reads <= 5   # the root branch, one or two branches below, the leaf
    assert len(touched(mpt)) == got.oracle_reads


def test_collapse_onto_an_unread_sibling(mpt: NativeDriver) -> None:
    """Deleting one of two leaves merges the branch with the other, which must be read then."""
    a, b = b"\x10" + b"\x00" * 31, b"\x20" + b"\x00" * 31
    reads = check(mpt, [(a, b"A" * 40), (b, b"B" * 40)], [[(STEP_DELETE, a, b"")]])
    _, db = build([(a, b"A" * 40), (b, b"B" * 40)])
    sibling = [k for k, v in db.items() if v.endswith(b"B" * 40)]
    assert sibling and sibling[0] in reads


def test_collapse_onto_an_embedded_sibling(mpt: NativeDriver) -> None:
    """Short leaves are embedded in the branch: the merge needs no read beyond the branch."""
    pairs = [(b"\x10", b"a"), (b"\x20", b"b"), (b"\x30" + b"\x00" * 20, b"c" * 40)]
    reads = check(mpt, pairs, [[(STEP_DELETE, b"\x30" + b"\x00" * 20, b"")]])
    assert len(reads) == 2   # the root branch and the deleted leaf


def test_collapse_through_extensions(mpt: NativeDriver) -> None:
    """A branch under an extension collapsing onto a branch, a leaf and an extension; then to empty."""
    keys = [bytes([0xAB, 0xC0 | i, j]) for i in range(3) for j in range(2)]
    pairs = [(k, k * 12) for k in keys]
    batches = [[(STEP_DELETE, keys[0], b""), (STEP_DELETE, keys[2], b"")],
               [(STEP_DELETE, keys[1], b""), (STEP_GET, keys[3], b"")],
               [(STEP_DELETE, k, b"") for k in keys[3:]]]
    check(mpt, pairs, batches)


def test_branch_values_and_prefix_keys(mpt: NativeDriver) -> None:
    """Keys that are prefixes of others put values in branches; deleting them normalises the branch."""
    pairs = [(b"", b"root value" * 4), (b"\x12", b"x" * 33), (b"\x12\x34", b"y" * 33), (b"\x13", b"z")]
    batches = [[(STEP_DELETE, b"\x12", b""), (STEP_GET, b"\x12\x34", b"")],
               [(STEP_DELETE, b"\x13", b""), (STEP_DELETE, b"\x12\x34", b"")],
               [(STEP_PUT, b"\x12\x34\x56", b"w" * 50), (STEP_DELETE, b"", b"")]]
    check(mpt, pairs, batches)


def test_reopen_from_emitted_nodes(mpt: NativeDriver) -> None:
    """Nodes hashed by mpt_root_emit are exactly those a reopened trie needs."""
    keys = [keccak256(bytes([i])) for i in range(40)]
    steps: list[Step] = [(STEP_PUT, k, k * (1 + i % 3)) for i, k in enumerate(keys)]
    reopen: Step = (STEP_REOPEN, b"", b"")
    steps += [reopen] + [(STEP_DELETE, k, b"") for k in keys[::3]] + [reopen]
    steps += [(STEP_GET, k, b"") for k in keys]
    mpt.call(OP_ORACLE_CLEAR, b"")
    got = run(mpt, EMPTY_ROOT, steps)
    t = HexaryTrie({})
    for i, k in enumerate(keys):
        t.set(k, k * (1 + i % 3))
    first = t.root_hash
    for k in keys[::3]:
        t.delete(k)
    gets = [t.get(k) or None for k in keys]
    assert got.answers == [first] + [True] * len(keys[::3]) + [t.root_hash] + gets


# Short keys over a tiny alphabet: shared prefixes, keys that are prefixes of others (branch
# values) and repeats; short values make embedded nodes, long ones hashed nodes.
short_keys = st.binary(max_size=3).map(lambda b: bytes(x & 0x11 for x in b))
hashed_keys = st.integers(0, 60).map(lambda i: keccak256(i.to_bytes(2, "big")))
any_keys = st.one_of(short_keys, hashed_keys)
values = st.one_of(st.binary(min_size=1, max_size=3), st.binary(min_size=30, max_size=70))


def steps_of(keys: st.SearchStrategy[bytes]) -> st.SearchStrategy[Step]:
    """Gets, puts (an empty value deletes) and deletes over the keys."""
    return st.one_of(
        st.tuples(st.just(STEP_GET), keys, st.just(b"")),
        st.tuples(st.just(STEP_PUT), keys, st.one_of(values, st.just(b""))),
        st.tuples(st.just(STEP_DELETE), keys, st.just(b"")),
    )


@settings(max_examples=150, deadline=None)
@given(pairs=st.lists(st.tuples(short_keys, values), max_size=25),
       batches=st.lists(st.lists(steps_of(short_keys), max_size=12), min_size=1, max_size=4))
def test_random_short_keys(mpt: NativeDriver, pairs: Pairs, batches: Batches) -> None:
    check(mpt, pairs, batches)


@settings(max_examples=80, deadline=None)
@given(pairs=st.lists(st.tuples(hashed_keys, values), max_size=60),
       batches=st.lists(st.lists(steps_of(hashed_keys), max_size=30), min_size=1, max_size=4))
def test_random_hashed_keys(mpt: NativeDriver, pairs: Pairs, batches: Batches) -> None:
    """32-byte hashed keys, as in the state and storage tries."""
    check(mpt, pairs, batches)


@pytest.mark.slow
@settings(max_examples=2000, deadline=None)
@given(pairs=st.lists(st.tuples(st.one_of(short_keys, hashed_keys), values), max_size=80),
       batches=st.lists(st.lists(steps_of(st.one_of(short_keys, hashed_keys)), max_size=40), min_size=1,
                        max_size=6))
def test_random_many(mpt: NativeDriver, pairs: Pairs, batches: Batches) -> None:
    check(mpt, pairs, batches)


def client_reads_in_order(db: dict[bytes, bytes], root: bytes, writes: Pairs) -> tuple[bytes, set[bytes]]:
    """py-trie applying writes (an empty value deletes) in the given order: its root and its reads."""
    rec = RecordingDB(db)
    t = HexaryTrie(rec, root_hash=root)
    for key, value in writes:
        t.set(key, value)
    return t.root_hash, rec.reads


def puts_then_deletes(mpt: NativeDriver, pairs: Pairs, order: Pairs) -> tuple[set[bytes], set[bytes]]:
    """The guest applying the writes as one batch (mpt_apply: puts first), py-trie one by one in
    `order`: roots agree; both read sets."""
    root, db = build(pairs)
    want_root, client_reads = client_reads_in_order(dict(db), root, order)
    steps: list[Step] = [(STEP_WRITE, k, v) for k, v in order] + [(STEP_APPLY, b"", b"")]   # mpt_apply
    mpt.call(OP_ORACLE_CLEAR, b"")
    put_preimages(mpt, db.items())
    touched(mpt)
    got = run(mpt, root, [*steps, (STEP_ROOT, b"", b"")])
    assert got.answers[-1] == want_root
    return set(touched(mpt)), client_reads


def test_an_insertion_first_spares_the_sibling(mpt: NativeDriver) -> None:
    """A branch of two leaves loses one and gains another: a client that inserts first never reads
    the sibling; neither does the guest, which inserts first whatever the client's order was."""
    a, b, c = (bytes([n]) + b"\x00" * 31 for n in (0x10, 0x20, 0x30))
    pairs = [(a, b"A" * 40), (b, b"B" * 40)]
    _, db = build(pairs)
    sibling = next(k for k, v in db.items() if v.endswith(b"B" * 40))
    guest, client = puts_then_deletes(mpt, pairs, [(c, b"C" * 40), (a, b"")])
    assert sibling not in client and guest <= client
    guest, client = puts_then_deletes(mpt, pairs, [(a, b""), (c, b"C" * 40)])
    assert sibling in client and sibling not in guest


@settings(max_examples=150, deadline=None)
@given(pairs=st.lists(st.tuples(any_keys, values), max_size=40),
       changes=st.dictionaries(any_keys, st.one_of(values, st.just(b"")), max_size=25),
       data=st.data())
def test_puts_first_read_no_more_than_any_order(mpt: NativeDriver, pairs: Pairs, changes: dict[bytes, bytes],
                                                data: st.DataObject) -> None:
    """A block's writes applied puts first, then deletes, read a subset of what any order reads.

    A client (py-evm) writes a block's changed slots and accounts in an order of its own; the guest
    that applies the same final writes with every put before every delete needs no node the client
    did not read, whatever that order was (a deletion first could collapse a branch that a later
    insertion refills, reading the sibling; an insertion first leaves nothing to collapse)."""
    order = data.draw(st.permutations(sorted(changes.items())))
    guest, client = puts_then_deletes(mpt, pairs, order)
    assert guest <= client


@pytest.mark.parametrize("runs", [3000, pytest.param(100_000, marks=pytest.mark.slow)])
def test_fuzz_target_on_a_random_sample(tmp_path: Path, runs: int) -> None:
    """The libFuzzer target (fuzz_mpt.c: gets and deletes against a naive map, the incremental root
    against trie.c's root from scratch, reopening through the oracle) on a fixed random sample of
    inputs, so it runs where clang is missing (test_fuzz.py runs it under libFuzzer where it is not)."""
    exe = build_fuzz_sampler(tmp_path)
    done = subprocess.run([str(exe), str(runs), "1", "900"], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip() == f"{runs} inputs"


@settings(max_examples=30, deadline=None)
@given(pairs=st.dictionaries(st.binary(min_size=32, max_size=32), values, max_size=300))
def test_bulk_builder_matches_py_trie(pairs: dict[bytes, bytes]) -> None:
    """bench/mpt_probe.build_secure_trie (the benchmark's million-key tries) builds py-trie's trie."""
    root, db = build_secure_trie(list(pairs.items()))
    want_root, want_db = build(list(pairs.items()))
    assert root == want_root
    assert db.items() <= want_db.items()


# 16 keys in 2 branches of 8 at depth 1, long leaves (hashed): few children per branch, so that
# writes often leave a branch with one unread survivor in one order and not in another.
sibling_keys = st.integers(0, 15).map(lambda i: bytes([(i >> 3) << 4 | (i & 7)]) + b"\x00" * 31)


@settings(max_examples=300, deadline=None)
@given(pairs=st.lists(st.tuples(sibling_keys, st.binary(min_size=30, max_size=40)), min_size=2, max_size=6),
       changes=st.dictionaries(sibling_keys, st.one_of(st.binary(min_size=30, max_size=40), st.just(b"")),
                               min_size=2, max_size=6),
       data=st.data())
def test_puts_first_on_small_branches(mpt: NativeDriver, pairs: Pairs, changes: dict[bytes, bytes],
                                      data: st.DataObject) -> None:
    """The same property where it bites: branches of two or three hashed leaves."""
    order = data.draw(st.permutations(sorted(changes.items())))
    guest, client = puts_then_deletes(mpt, pairs, order)
    assert guest <= client
