"""Signed health codes: COSE_Sign1/Ed25519 tokens, trust lists, and an offline verifier.

A pure library (no server, no database): the issuing service calls `issue`, a checkpoint holds a
`TrustStore` and calls `verify`. QR rendering lives in `healthcode.credentials.qr`.
"""

from healthcode.credentials.claims import CodeClaims
from healthcode.credentials.cose import kid_of
from healthcode.credentials.errors import CodeRejected, Reason
from healthcode.credentials.signer import generate_private_key, issue
from healthcode.credentials.token import PREFIX
from healthcode.credentials.trustfile import dump_trust_list, load_trust_list
from healthcode.credentials.trustlist import (
    SignedTrustList,
    TrustedKey,
    TrustList,
    build_trust_list,
    sign_trust_list,
)
from healthcode.credentials.truststore import TrustStore
from healthcode.credentials.verify import Acceptance, Decision, Outcome, verify
from healthcode.kernel.facts import Colour

__all__ = [
    "PREFIX",
    "Acceptance",
    "CodeClaims",
    "CodeRejected",
    "Colour",
    "Decision",
    "Outcome",
    "Reason",
    "SignedTrustList",
    "TrustList",
    "TrustStore",
    "TrustedKey",
    "build_trust_list",
    "dump_trust_list",
    "generate_private_key",
    "issue",
    "kid_of",
    "load_trust_list",
    "sign_trust_list",
    "verify",
]
