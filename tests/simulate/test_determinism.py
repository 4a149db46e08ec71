"""Same seed, same bytes; another seed, other data."""

from __future__ import annotations

from jalon.simulate import MANIFEST_NAME, Manifest
from jalon.simulate.manifest import sha256_of


def _checksums(manifest: Manifest) -> dict[str, str]:
    return {f.path.relative_to(manifest.root).as_posix(): f.sha256 for f in manifest.files}


def test_same_seed_gives_identical_files(manifest: Manifest, manifest_again: Manifest) -> None:
    assert _checksums(manifest) == _checksums(manifest_again)
    first = (manifest.root / MANIFEST_NAME).read_bytes()
    assert first == (manifest_again.root / MANIFEST_NAME).read_bytes()


def test_checksums_match_the_files(manifest: Manifest) -> None:
    for item in manifest.files:
        assert sha256_of(item.path) == item.sha256, item.path


def test_other_seed_gives_other_files(manifest: Manifest, manifest_other_seed: Manifest) -> None:
    a, b = _checksums(manifest), _checksums(manifest_other_seed)
    trainee = [p for p in a if "stagiaires" in p and p in b]
    assert trainee
    assert sum(a[p] != b[p] for p in trainee) > 0.95 * len(trainee)


def test_manifest_round_trips(manifest: Manifest) -> None:
    again = Manifest.read(manifest.root)
    assert again.files == manifest.files
    assert again.to_json() == manifest.to_json()
