"""`--format sarif`: valid SARIF 2.1.0 (OASIS schema) with what GitHub code scanning reads.

GitHub's own ingestion rules (SARIF Multitool) run in `.ci/run` on every fixture; the
exact bytes are in tests/snapshots/report.sarif.
"""

from __future__ import annotations

import dataclasses
import json
from hashlib import sha256
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from analyzer.api import Report, check
from analyzer.config import Config
from analyzer.docs import rule_markdown, rule_url
from analyzer.findings import Finding, Level, Location
from analyzer.positions import Span
from analyzer.report import render_report, sarif
from analyzer.report.fingerprint import primary_location_line_hashes
from analyzer.rules import all_rules
from tests.helpers import FIXTURES, REPO, run_cli, write_files
from tests.snapshots import PROJECT

SCHEMA = REPO.parent / "shared" / "sarif" / "sarif-schema-2.1.0.json"
PROJECTS = [*sorted(p for p in FIXTURES.iterdir() if p.is_dir()), PROJECT]


@pytest.fixture(scope="module")
def validator() -> Any:
    if not SCHEMA.is_file():
        pytest.skip(f"the OASIS SARIF 2.1.0 schema is not at {SCHEMA} (../shared/sarif/)")
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def schema_errors(validator: Any, log: Any) -> list[str]:
    return [f"{error.json_path}: {error.message}" for error in validator.iter_errors(log)]


def render(report: Report, root: Path, **options: Any) -> Any:
    return json.loads(sarif.render(report, root, **options))


def finding(
    path: Path, line: int = 1, level: Level = Level.ERROR, related: int = 0, rule: str = ""
) -> Finding:
    return Finding(
        rule=rule or "multiple-heads",
        level=level,
        message=f"problem on line {line}",
        location=Location(str(path), Span(line, 1, line, 5)),
        related=tuple(
            Location(str(path), Span(n, 1, n, 2), f"head {n}") for n in range(1, related + 1)
        ),
    )


def report_of(*findings: Finding, unanalyzable: tuple[tuple[str, str], ...] = ()) -> Report:
    return Report(findings=findings, revisions=len(findings), unanalyzable=unanalyzable)


@pytest.mark.parametrize("project", PROJECTS, ids=lambda p: p.name)
def test_every_fixture_gives_schema_valid_sarif(project: Path, validator: Any) -> None:
    log = render(check([str(project)], Config(), cwd=project), REPO)
    assert schema_errors(validator, log) == []


def test_the_schema_check_catches_invalid_sarif(validator: Any) -> None:
    log = render(check([str(PROJECT)], Config(), cwd=PROJECT), PROJECT)
    log["runs"][0]["results"][0]["level"] = "fatal"
    del log["runs"][0]["results"][1]["message"]
    assert len(schema_errors(validator, log)) == 2


def test_one_run_with_every_rule_documented() -> None:
    log = render(report_of(), PROJECT)
    assert log["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"
    assert log["version"] == "2.1.0"
    [run] = log["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "alembic-analyzer"
    assert driver["semanticVersion"] == driver["version"]
    assert driver["informationUri"] == "https://github.com/alembic-analyzer/alembic-analyzer"
    assert [d["id"] for d in driver["rules"]] == [rule.id for rule in all_rules()]
    for descriptor, rule in zip(driver["rules"], all_rules(), strict=True):
        assert descriptor["name"] == rule.__name__
        assert descriptor["shortDescription"]["text"] == rule.doc().summary
        assert descriptor["fullDescription"]["text"] == sarif.clip(rule.doc().description, 1024)
        assert descriptor["help"] == {"text": rule_markdown(rule), "markdown": rule_markdown(rule)}
        assert descriptor["helpUri"] == rule_url(rule)
        assert descriptor["defaultConfiguration"] == {"level": rule.default_level.value}
        assert descriptor["properties"]["tags"] == list(rule.tags)
        assert "security-severity" not in descriptor["properties"]
    assert run["results"] == []
    assert run["invocations"] == [{"executionSuccessful": True}]
    assert run["automationDetails"] == {"id": "alembic-analyzer/"}
    assert run["columnKind"] == "unicodeCodePoints"


def test_results_point_at_their_rule_and_file() -> None:
    report = check([str(PROJECT)], Config(), cwd=PROJECT)
    run = render(report, PROJECT)["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert len(run["results"]) == len(report.findings)
    for result, found in zip(run["results"], report.findings, strict=True):
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"] == found.rule
        assert result["level"] == found.level.value
        assert result["message"] == {"text": found.message}
        [location] = result["locations"]
        span = found.location.span
        assert location["physicalLocation"]["region"] == {
            "startLine": span.start_line,
            "startColumn": span.start_col,
            "endLine": span.end_line,
            "endColumn": span.end_col,
        }
        line = span.start_line
        expected = primary_location_line_hashes(found.location.path, [line])[line]
        assert result["partialFingerprints"] == {"primaryLocationLineHash": expected}
    heads = run["results"][1]
    assert heads["locations"][0]["physicalLocation"]["artifactLocation"] == {
        "uri": "migrations/versions/0002_ajout%C3%A9_cl%C3%A9.py",
        "uriBaseId": "%SRCROOT%",
    }
    assert heads["relatedLocations"][0]["id"] == 1
    assert heads["relatedLocations"][0]["message"] == {"text": "head 0005"}


def test_files_that_could_not_be_analyzed_are_notifications() -> None:
    report = check([str(PROJECT)], Config(), cwd=PROJECT)
    [invocation] = render(report, PROJECT)["runs"][0]["invocations"]
    assert invocation["executionSuccessful"] is True
    [notification] = invocation["toolExecutionNotifications"]
    assert notification["message"]["text"] == (
        "migrations/versions/0004_seed_accounts.py could not be analyzed: syntax error: "
        "Missing parentheses in call to 'print'. Did you mean print(...)?"
    )
    location = notification["locations"][0]["physicalLocation"]["artifactLocation"]
    assert location == {
        "uri": "migrations/versions/0004_seed_accounts.py",
        "uriBaseId": "%SRCROOT%",
    }


def test_a_file_that_cannot_be_read_gets_no_fingerprint(tmp_path: Path, validator: Any) -> None:
    log = render(report_of(finding(tmp_path / "deleted.py")), tmp_path)
    [result] = log["runs"][0]["results"]
    assert "partialFingerprints" not in result
    assert schema_errors(validator, log) == []


def test_paths_are_relative_to_the_git_top_level_with_symlinks_resolved(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    write_files(repo / "app", {"alembic.ini": "[alembic]\nscript_location = migrations\n"})
    write_files(
        repo / "app" / "migrations" / "versions", {"a.py": "revision = 'a'\ndown_revision = None\n"}
    )
    write_files(
        repo / "app" / "migrations" / "versions", {"b.py": "revision = 'a'\ndown_revision = None\n"}
    )
    (tmp_path / "link").symlink_to(repo / "app")
    cwd = tmp_path / "link"
    report = check([], Config(), cwd=cwd)
    run = json.loads(render_report("sarif", report, cwd))["runs"][0]
    [result] = run["results"]
    location = result["locations"][0]["physicalLocation"]["artifactLocation"]
    assert location["uri"] == "app/migrations/versions/a.py"
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == repo.resolve().as_uri() + "/"


def test_outside_a_git_repository_paths_are_relative_to_cwd(tmp_path: Path) -> None:
    versions = tmp_path / "versions"
    write_files(
        versions,
        {
            "a.py": "revision = 'a'\ndown_revision = None\n",
            "b.py": "revision = 'a'\ndown_revision = None\n",
        },
    )
    report = check([str(versions)], Config(), cwd=tmp_path)
    run = json.loads(render_report("sarif", report, tmp_path))["runs"][0]
    location = run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert location["uri"] == "versions/a.py"


def test_the_category_option(tmp_path: Path) -> None:
    output = tmp_path / "results.sarif"
    fixture = str(FIXTURES / "two-heads")
    options = ["--format", "sarif", "--output", str(output), "--sarif-category", "backend/db"]
    result = run_cli(["check", fixture, *options])
    assert (result.returncode, result.stdout, result.stderr) == (1, "", "")
    log = json.loads(output.read_text(encoding="utf-8"))
    assert log["runs"][0]["automationDetails"] == {"id": "backend/db/"}
    empty = run_cli(["check", fixture, "--format", "sarif", "--sarif-category", ""])
    assert empty.returncode == 2
    assert empty.stderr == "alembic-analyzer: error: --sarif-category must not be empty\n"


def test_too_many_results_keep_the_most_severe(tmp_path: Path) -> None:
    path = tmp_path / "a.py"
    path.write_text("x\n" * 10, encoding="utf-8")
    findings = (
        finding(path, 1, Level.NOTE),
        finding(path, 2, Level.WARNING),
        finding(path, 3, Level.ERROR),
        finding(path, 4, Level.WARNING),
        finding(path, 5, Level.ERROR),
    )
    run = render(report_of(*findings), tmp_path, limits=sarif.Limits(results=3))["runs"][0]
    kept = [(r["locations"][0]["physicalLocation"]["region"]["startLine"]) for r in run["results"]]
    assert kept == [2, 3, 5]
    [note] = run["invocations"][0]["toolExecutionNotifications"]
    assert note["level"] == "warning"
    assert note["message"]["text"].startswith(
        "2 of 5 results are not included, the least severe first: GitHub code scanning "
        "rejects SARIF files with more than 3 results per run"
    )


def test_related_locations_are_cut_to_what_github_shows(tmp_path: Path, validator: Any) -> None:
    path = tmp_path / "a.py"
    log = render(
        report_of(finding(path, related=5)), tmp_path, limits=sarif.Limits(related_locations=2)
    )
    [result] = log["runs"][0]["results"]
    assert [r["message"]["text"] for r in result["relatedLocations"]] == ["head 1", "head 2"]
    [note] = log["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert note["message"]["text"].startswith(
        "Only the first 2 of the 5 related locations of this multiple-heads result"
    )
    assert note["locations"] == result["locations"]
    assert schema_errors(validator, log) == []


def test_a_log_too_large_for_github_drops_results_until_it_fits(tmp_path: Path) -> None:
    findings = tuple(
        dataclasses.replace(finding(tmp_path / f"f{n}.py"), message=sha256(bytes(n)).hexdigest())
        for n in range(400)
    )
    empty = sarif.gzip_size(sarif.render(report_of(), tmp_path))
    full = sarif.gzip_size(sarif.render(report_of(*findings), tmp_path))
    limit = (empty + full) // 2
    limited = sarif.render(report_of(*findings), tmp_path, limits=sarif.Limits(gzip_bytes=limit))
    assert sarif.gzip_size(limited) <= limit
    run = json.loads(limited)["runs"][0]
    assert 100 < len(run["results"]) < 300
    [note] = run["invocations"][0]["toolExecutionNotifications"]
    assert note["message"]["text"].startswith(f"{400 - len(run['results'])} of 400 results")


def test_long_descriptions_are_cut_after_a_sentence() -> None:
    assert sarif.clip("One. Two. Three.", 12) == "One. Two."
    assert sarif.clip("One two three", 8) == "One two…"
    assert sarif.clip("Short.", 6) == "Short."


def test_level_is_always_written_and_other_defaults_never() -> None:
    import sarif_om as om

    result = om.Result(message=om.Message(text="m"), level="warning", kind="fail", rank=-1.0)
    assert sarif.to_json(result) == {"message": {"text": "m"}, "level": "warning"}
    assert sarif.to_json(om.Run(tool=om.Tool(driver=om.ToolComponent(name="t")))) == {
        "tool": {"driver": {"name": "t"}}
    }
