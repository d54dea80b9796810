"""The table of GoClaw releases and the schema versions each requires (read off GoClaw's tags)."""

from __future__ import annotations

import pytest

from goclaw_db.releases import (
    UnknownRelease,
    describe_releases,
    goclaw_release,
    goclaw_releases,
    releases_accepting,
)


@pytest.mark.parametrize(
    ("tag", "postgres", "desktop"),
    [
        ("v3.0.0", 44, 12),
        ("v3.1.1", 44, 12),
        ("v3.2.0", 47, 15),
        ("v3.11.3", 57, 26),
        ("v3.13.0-beta.1", 99000, 37),
        ("v3.15.0-beta.164", 99002, 49),
        ("v2.24.0", 29, None),
    ],
)
def test_each_goclaw_release_requires_the_versions_its_binary_checks(tag, postgres, desktop):
    release = goclaw_release(tag)
    assert (release.postgres_version, release.desktop_version) == (postgres, desktop)


def test_only_the_releases_of_april_9th_run_on_a_database_at_version_44():
    accepting = releases_accepting(44, "postgresql")
    assert {release.tag for release in accepting} == {"v3.0.0", "v3.1.0", "v3.1.1", "lite-v3.0.0"}
    assert {release.date.isoformat() for release in accepting} == {"2026-04-09"}
    assert releases_accepting(12, "sqlite") == accepting


def test_a_release_is_named_with_or_without_its_v():
    assert goclaw_release("3.2.0") == goclaw_release("v3.2.0")
    assert goclaw_release("lite-3.1.0").tag == "lite-v3.1.0"


def test_an_unknown_release_is_refused_with_the_closest_tags():
    with pytest.raises(UnknownRelease, match=r"'v3\.2\.9' is not a GoClaw release; did you mean v3\.2\.0"):
        goclaw_release("v3.2.9")
    with pytest.raises(UnknownRelease, match=r"releases run from v0\.2\.0 … v3\.15\.0-beta\.164"):
        goclaw_release("nightly")


def test_the_table_runs_oldest_first_and_the_required_versions_never_go_back():
    releases = [release for release in goclaw_releases() if not release.tag.startswith("lite-")]
    assert [release.date for release in releases] == sorted(release.date for release in releases)
    required = [release.postgres_version for release in releases]
    assert required == sorted(required)


def test_releases_are_described_by_their_span():
    assert describe_releases([release.tag for release in releases_accepting(47, "postgresql")]).endswith("(4 tags)")
    assert describe_releases([]) == "no GoClaw release"
