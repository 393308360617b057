"""The QTI 2.1 package against the official 2012 Final Release schemas, fully offline.

The items, the test and the manifest of a 30-copy class are validated with the XSDs that
1EdTech published (not with our own idea of them): the 2008 draft accepted values the final
schema refuses (``format="preFormatted"``), so passing the draft proved nothing.  The
schemas are kept in ``tests/schemas/qti21`` (``$QTI21_SCHEMAS`` may name another copy);
every import they make is served from that folder and any other
URL is refused, so the test never touches the network.
"""

from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest
from click.testing import CliRunner
from lxml import etree

from generator.cli import cli

from .conftest import SEED_PARTS

SCHEMAS = Path(
    os.environ.get("QTI21_SCHEMAS") or Path(__file__).resolve().parent / "schemas" / "qti21"
)
QTI_XSD = "qtiv2p1/imsqti_v2p1.xsd"
CP_XSD = "imscp_v1p1.xsd"
# Where IMS publishes the Final Release schema (the 2008 draft lived at
# http://www.imsglobal.org/xsd/imsqti_v2p1.xsd); its path below /xsd/qti/ is the local copy's.
FINAL_LOCATION = "http://www.imsglobal.org/xsd/qti/" + QTI_XSD
DRAFT_LOCATION = "http://www.imsglobal.org/xsd/imsqti_v2p1.xsd"
XSI_LOCATION = "{http://www.w3.org/2001/XMLSchema-instance}schemaLocation"
COPIES = 30


class LocalSchemas(etree.Resolver):
    """Serves schema imports only from files inside :data:`SCHEMAS`; every other URL is
    recorded and refused, so that a schema naming a remote file fails the test instead of
    being fetched."""

    def __init__(self) -> None:
        super().__init__()
        self.refused: list[str] = []

    def resolve(self, url: str, public_id: str | None, context: object) -> object:
        path = local_path(url)
        if path is None:
            self.refused.append(url)
            raise LookupError(f"refusing to fetch {url}: not a file of {SCHEMAS}")
        return self.resolve_filename(str(path), context)


def local_path(url: str) -> Path | None:
    """The file ``url`` names if it is a local path inside :data:`SCHEMAS`, else None."""
    parsed = urlparse(url)
    if parsed.scheme not in ("", "file") or parsed.netloc not in ("", "localhost"):
        return None
    path = Path(unquote(parsed.path)).resolve()
    return path if path.is_relative_to(SCHEMAS.resolve()) and path.is_file() else None


def offline_parser() -> tuple[etree.XMLParser, LocalSchemas]:
    """A parser that never reads the network, and the :class:`LocalSchemas` it asks for
    every xs:import and xs:include while a schema it parsed is compiled."""
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    resolver = LocalSchemas()
    parser.resolvers.add(resolver)
    return parser, resolver


def load_schema(relative: str) -> etree.XMLSchema:
    """The compiled schema ``relative`` to :data:`SCHEMAS`, built from local files only."""
    path = SCHEMAS / relative
    if not path.is_file():
        pytest.fail(f"{path} is missing: set QTI21_SCHEMAS to the folder of the QTI 2.1 XSDs.")
    parser, resolver = offline_parser()
    schema = etree.XMLSchema(etree.parse(str(path), parser))
    assert resolver.refused == [], f"the schema wanted remote files: {resolver.refused}"
    return schema


@pytest.fixture(scope="session")
def qti_schema() -> etree.XMLSchema:
    return load_schema(QTI_XSD)


@pytest.fixture(scope="session")
def cp_schema() -> etree.XMLSchema:
    return load_schema(CP_XSD)


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, bytes], dict]:
    """The XML files of qti21.zip of a 30-copy public class, and the class's key."""
    out = tmp_path_factory.mktemp("qti21")
    args = ["--seed", "42", "--public", "--variants", str(COPIES), "--no-pdf",
            "--lms", "qti21", "--out", str(out)]  # fmt: skip
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    (folder,) = [p for p in out.iterdir() if p.is_dir()]
    with zipfile.ZipFile(folder / "lms" / "qti21.zip") as archive:
        files = {n: archive.read(n) for n in archive.namelist() if n.endswith(".xml")}
    return files, json.loads((folder / "key.json").read_text(encoding="utf-8"))


def parse(data: bytes) -> etree._Element:
    return etree.fromstring(data, etree.XMLParser(no_network=True, resolve_entities=False))


def errors(schema: etree.XMLSchema, document: etree._Element) -> list[str]:
    """The schema's complaints about ``document``; empty when it is valid."""
    if schema.validate(document):
        return []
    return [f"line {e.line}: {e.message}" for e in schema.error_log]


def items(files: dict[str, bytes]) -> dict[str, bytes]:
    return {name: data for name, data in files.items() if name.startswith("items/")}


def part_kinds(key: dict) -> list[str]:
    return [p["kind"] for v in key["variants"] for q in v["questions"] for p in q["parts"]]


def test_every_item_is_valid_against_the_final_schema(package, qti_schema):
    files, key = package
    invalid = {}
    for name, data in items(files).items():
        if problems := errors(qti_schema, parse(data)):
            invalid[name] = problems
    every_part = COPIES * sum(len(parts) for parts in SEED_PARTS.values())  # 1,440
    assert len(items(files)) == len(part_kinds(key)) == every_part
    assert not invalid, f"{len(invalid)} of {len(items(files))} items invalid: " + repr(
        dict(list(invalid.items())[:3])
    )


def test_the_class_has_code_items_the_draft_format_broke(package):
    """The class must hold the parts that failed (code, as extendedTextInteraction), or the
    validity test above would prove nothing about them."""
    files, key = package
    formats = [
        interaction.get("format")
        for data in items(files).values()
        for interaction in parse(data).iter("{*}extendedTextInteraction")
    ]
    code_parts = part_kinds(key).count("code")
    assert code_parts >= COPIES
    assert formats.count("preformatted") == code_parts


def test_the_test_is_valid_against_the_final_schema(package, qti_schema):
    files, _ = package
    assert errors(qti_schema, parse(files["test.xml"])) == []


def test_the_manifest_is_valid_against_content_packaging(package, cp_schema):
    files, _ = package
    assert errors(cp_schema, parse(files["imsmanifest.xml"])) == []


def target_namespace(relative: str) -> str:
    parser, _ = offline_parser()
    return etree.parse(str(SCHEMAS / relative), parser).getroot().get("targetNamespace")


def test_schema_location_names_the_final_release_xsd(package):
    files, _ = package
    expected = [target_namespace(QTI_XSD), FINAL_LOCATION]
    for name, data in files.items():
        if name == "imsmanifest.xml":
            continue
        location = parse(data).get(XSI_LOCATION)
        assert location is not None, name
        assert location.split() == expected, name
        assert DRAFT_LOCATION not in location.split(), name


def code_item(files: dict[str, bytes]) -> etree._Element:
    for data in items(files).values():
        item = parse(data)
        if item.find(".//{*}extendedTextInteraction[@format='preformatted']") is not None:
            return item
    pytest.fail("no code item in the package")


@pytest.mark.parametrize(
    ("attribute", "value"),
    [("format", "preFormatted"), ("format", "xhtml-ish"), ("expectedLines", "ten")],
)
def test_the_validator_rejects_a_wrong_item(package, qti_schema, attribute, value):
    """The same validator refuses the draft's spelling (and other bad values), so a pass
    above means the schema really checked the items."""
    item = code_item(package[0])
    assert errors(qti_schema, item) == []
    item.find(".//{*}extendedTextInteraction").set(attribute, value)
    problems = errors(qti_schema, item)
    assert problems and all(attribute in p for p in problems), problems


def test_the_validator_rejects_a_wrong_manifest(package, cp_schema):
    manifest = parse(package[0]["imsmanifest.xml"])
    assert errors(cp_schema, manifest) == []
    resource = manifest.find(".//{*}resource")
    del resource.attrib["type"]
    assert any("type" in p for p in errors(cp_schema, manifest))


def test_schemas_never_fetch_remote_imports():
    """A schema importing an http URL fails to compile and the URL is refused: the
    resolver, not the network, answers every import."""
    xsd = (
        b'<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:t">'
        b'<xs:import namespace="urn:r" schemaLocation="http://example.invalid/r.xsd"/>'
        b"</xs:schema>"
    )
    parser, resolver = offline_parser()
    with pytest.raises(etree.XMLSchemaParseError):
        etree.XMLSchema(etree.fromstring(xsd, parser))
    assert resolver.refused == ["http://example.invalid/r.xsd"]
