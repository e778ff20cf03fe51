"""Benchmark: full offline verification of a health code vs the bare Ed25519 check inside it.

Full verification = prefix, base45, COSE envelope, kid lookup, Ed25519 verify, claims parsing
(deterministic encoding included), issuer / key-period / lifetime / time / acceptance checks,
decision. The baseline is the bare check of the same signature over the same Sig_structure bytes
with an already-loaded key by the *fastest* of the well-kept Ed25519 bindings, both measured in
the same run: `cryptography` (`Ed25519PublicKey.verify`, OpenSSL) and PyNaCl (`VerifyKey.verify`,
libsodium). All contenders are interleaved round by round, in rotating order, so that CPU
frequency drift and neighbours' load hit them alike; each figure is the median over rounds of CPU
time per call. Target: full / fastest bare check <= 1.25.

    .venv/bin/python bench/verify.py [--rounds 61] [--number 300] [--check]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from nacl.signing import VerifyKey

from healthcode.credentials import (
    Acceptance,
    CodeClaims,
    Colour,
    TrustedKey,
    TrustStore,
    build_trust_list,
    generate_private_key,
    issue,
    sign_trust_list,
    verify,
)
from healthcode.credentials.cose import parse_sign1
from healthcode.credentials.qr import qr_version
from healthcode.credentials.token import decode_token

TARGET_RATIO = 1.25


def _per_call(fn: Callable[[], object], number: int) -> float:
    """Seconds of CPU time per call (CPU, not wall-clock, time: on a shared machine the
    process being descheduled would otherwise land in whichever contender was running)."""
    start = time.process_time_ns()
    for _ in range(number):
        fn()
    return (time.process_time_ns() - start) / number / 1e9


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=61)
    parser.add_argument("--number", type=int, default=300, help="calls per round per contender")
    parser.add_argument("--check", action="store_true", help=f"exit 1 if ratio > {TARGET_RATIO}")
    args = parser.parse_args()

    t0 = datetime(2026, 3, 1, 1, 0, tzinfo=UTC)
    root, key = generate_private_key(), generate_private_key()
    trust_list = build_trust_list(
        jurisdiction="330100",
        sequence=1,
        issued_at=t0,
        keys=[TrustedKey.of(key.public_key(), valid_from=t0, valid_until=t0 + timedelta(days=30))],
        root_public_key=root.public_key(),
        max_code_lifetime=timedelta(minutes=5),
    )
    store = TrustStore(roots={"330100": root.public_key()})
    store.accept(sign_trust_list(trust_list, root_private_key=root))
    issued = t0 + timedelta(hours=1)
    token = issue(
        CodeClaims(
            issuer="330100",
            subject="9f86d081884c7d659a2feaa0c55ad015",  # 128-bit hex, like the service's ids
            issued_at=issued,
            expires_at=issued + timedelta(minutes=5),
            colour=Colour.GREEN,
            masked_name="张*三",
        ),
        private_key=key,
    )
    at = issued + timedelta(minutes=1)
    acceptance = Acceptance.green_only({"330100", "310000"})

    message = parse_sign1(decode_token(token))
    signature, to_be_signed = message.signature, message.to_be_signed()
    public_key = key.public_key()
    nacl_key = VerifyKey(public_key.public_bytes_raw())

    def full() -> object:
        return verify(token, trust_lists=store, at=at, acceptance=acceptance)

    def cryptography_raw() -> None:
        public_key.verify(signature, to_be_signed)

    def pynacl_raw() -> None:
        nacl_key.verify(to_be_signed, signature)

    decision = verify(token, trust_lists=store, at=at, acceptance=acceptance)
    if not decision.passed:
        print(f"benchmark setup is wrong: {decision}", file=sys.stderr)
        return 2

    contenders: dict[str, Callable[[], object]] = {
        "full verification": full,
        "cryptography (OpenSSL) bare verify": cryptography_raw,
        "PyNaCl (libsodium) bare verify": pynacl_raw,
    }
    times: dict[str, list[float]] = {name: [] for name in contenders}
    for fn in contenders.values():  # warm up
        _per_call(fn, args.number // 4 or 1)
    names = list(contenders)
    for i in range(args.rounds):
        for name in names[i % 3 :] + names[: i % 3]:
            times[name].append(_per_call(contenders[name], args.number))

    medians = {name: statistics.median(values) * 1e6 for name, values in times.items()}
    baseline = min(names[1:], key=medians.__getitem__)
    full_us, raw_us = medians["full verification"], medians[baseline]
    ratio = full_us / raw_us
    paired = statistics.median(
        f / r for f, r in zip(times["full verification"], times[baseline], strict=True)
    )
    for name in names:
        print(f"{name + ' (median):':40s}{medians[name]:8.1f} µs")
    print(f"{'baseline (fastest binding):':40s}{baseline}")
    print(f"{'ratio full / baseline:':40s}{ratio:8.2f}   (target <= {TARGET_RATIO})")
    print(f"{'median of per-round ratios:':40s}{paired:8.2f}")
    print(f"{'overhead beyond the signature:':40s}{full_us - raw_us:8.1f} µs")
    print(f"{'token length:':40s}{len(token):8d} characters")
    print(f"{'QR version at level M:':40s}{qr_version(token):8d}")
    print(f"{'rounds x calls:':40s}{args.rounds} x {args.number}")
    return 1 if args.check and ratio > TARGET_RATIO else 0


if __name__ == "__main__":
    sys.exit(main())
