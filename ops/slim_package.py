"""Makes the deployment zip that ``chalice package`` wrote small and precompiled.

    .venv/bin/python -m ops.slim_package build/package

``make package`` runs it on ``chalice package``'s output: it unpacks ``deployment.zip``,
leaves out what the functions never load, compiles every module for the Lambda runtime's
Python and packs the zip again, the same bytes for the same input.

- **Babel**: only the locale data of the languages Standby writes
  (``chalicelib.domain.languages.LANGUAGES``), the locales they inherit from as Babel
  resolves them (``nb`` inherits from ``no``, every one from ``root``) and ``global.dat``.
- **phonenumbers**: without its geocoding, carrier and time-zone data, exactly what the
  ``phonenumberslite`` distribution leaves out; parsing and validating need none of it.
- **botocore and boto3**: the service models of the services the functions call
  (:data:`SERVICES`), not of all three hundred and more.
- **Bytecode**, compiled by an interpreter of the runtime's version (the ``Runtime`` of the
  functions in ``sam.json``; ``chalice package`` takes it from the Python it runs on), as
  *unchecked-hash* pycs (PEP 552): Python loads them without comparing them with a
  source's time stamp, which a zip round trip does not keep exactly, and Lambda's
  ``/var/task`` is read-only, so nothing compiled at a cold start could be kept. Standby's
  own code (``app.py``, ``chalicelib/``) keeps its sources, its bytecode in
  ``__pycache__/<name>.cpython-3XY.pyc``, so tracebacks show its lines; the libraries ship
  their bytecode in place of their sources (``name.pyc`` beside where ``name.py`` was,
  which Python imports as it finds it), as both would not fit in the budget of 15 MB:
  their frames show file and line, at the pinned version.
- Native extensions lose their symbol tables (``strip --strip-unneeded``), and what
  :data:`LEFT_OUT` lists is left out.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from chalicelib.domain.languages import LANGUAGES

SERVICES = frozenset({"dynamodb", "scheduler", "ses", "sns", "sts"})
"""The AWS services whose models the package keeps: DynamoDB (pynamodb's tables and
Powertools' idempotency records), EventBridge Scheduler (an offer's expiry, held messages),
SES (email) and SNS (SMS). STS is botocore's own: its assume-role and web-identity
credential providers create an STS client (never in Lambda, whose credentials are in the
environment, but no credential path should fail for want of a model). The functions never
read a stream themselves (Lambda hands them the records) nor write to SQS (Lambda parks
failures in the dead-letter queue)."""

LEFT_OUT = {
    "phonenumbers/geodata": "where a number is (phonenumbers' geocoder)",
    "phonenumbers/carrierdata": "which carrier a number was given to",
    "phonenumbers/tzdata": "a number's time zones",
    "cffi": "cffi's Python half builds bindings; cryptography loads only `_cffi_backend`",
    "pycparser": "parses C declarations for cffi's builder",
    "pycparser-*.dist-info": "pycparser's metadata",
    "aws_lambda_powertools/event_handler/openapi/swagger_ui/*.js": "Swagger UI's page",
    "aws_lambda_powertools/event_handler/openapi/swagger_ui/*.css": "Swagger UI's page",
    **{
        f"aws_lambda_powertools/utilities/{utility}": "a Powertools utility nothing imports"
        for utility in (
            "auth_alpha",
            "circuit_breaker",
            "data_masking",
            "feature_flags",
            "kafka",
            "metadata",
            "parameters",
            "streaming",
        )
    },
    "*.dist-info/RECORD": "the installed files' hashes, which no longer hold",
    "*.data": "a distribution's scripts, never imported",
    "**/*.pyi": "type stubs",
}
"""What the package leaves out (globs under the zip's root), and why the functions never
load it. phonenumbers' three are what the ``phonenumberslite`` distribution leaves out."""

OURS = ("app.py", "chalicelib")
"""Standby's own code: shipped with its sources, so that tracebacks show its lines."""

PACKAGE_ROOT = "/var/task"
"""Where Lambda unpacks the zip: the path compiled into the bytecode's tracebacks."""

ZIP_TIME = (1980, 1, 1, 0, 0, 0)
"""Every entry's time stamp, as ``chalice package`` writes them: the zip's bytes depend on
its content only."""


@dataclass(frozen=True)
class Slimmed:
    zipped_before: int
    zipped_after: int
    unpacked_before: int
    unpacked_after: int
    files: int
    compiled: bool
    runtime: str


def runtime_of(template: Path) -> str:
    """The Python runtime of the functions in the SAM template, e.g. ``python3.11``."""
    resources = json.loads(template.read_text())["Resources"]
    runtimes = {
        resource["Properties"]["Runtime"]
        for resource in resources.values()
        if resource.get("Type") == "AWS::Serverless::Function"
    }
    if len(runtimes) != 1:
        raise SystemExit(f"expected one Python runtime in {template}, found {sorted(runtimes)}")
    runtime = str(runtimes.pop())
    if not re.fullmatch(r"python3\.\d+", runtime):
        raise SystemExit(f"not a Python runtime: {runtime}")
    return runtime


def interpreter_for(runtime: str) -> str | None:
    """An interpreter of the runtime's Python version: this one, or ``python3.X`` on PATH."""
    version = runtime.removeprefix("python")
    candidates = [sys.executable, shutil.which(f"python{version}")]
    for candidate in candidates:
        if candidate is None:
            continue
        found = subprocess.run(
            [candidate, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
            capture_output=True,
            text=True,
            check=False,
        )
        if found.returncode == 0 and found.stdout.strip() == version:
            return candidate
    return None


def babel_locales(global_data: Path, languages: Iterable[str]) -> set[str]:
    """The locales Babel loads for ``languages``: each one and every locale it inherits
    from, by the rule of ``babel.localedata.load``."""
    with global_data.open("rb") as data:
        parent_exceptions: dict[str, str] = pickle.load(data)["parent_exceptions"]
    needed = {"root"}
    for language in languages:
        name = language
        while name != "root":
            needed.add(name)
            parts = name.split("_")
            name = parent_exceptions.get(name) or (
                "root" if len(parts) == 1 else "_".join(parts[:-1])
            )
    return needed


def _remove(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path)
    elif path.exists():
        path.unlink()


def trim(root: Path) -> None:
    """Leaves out of the unpacked package what the functions never load."""
    if (root / "botocore" / "__init__.pyc").exists():
        raise SystemExit("this package is slimmed already: run `chalice package` first")
    for cache in [*root.rglob("__pycache__")]:
        _remove(cache)
    for stale in root.rglob("*.py[co]"):
        stale.unlink()

    locale_data = root / "babel" / "locale-data"
    keep = babel_locales(root / "babel" / "global.dat", LANGUAGES)
    for data in locale_data.glob("*.dat"):
        if data.stem not in keep:
            data.unlink()

    for pattern in LEFT_OUT:
        for left_out in [*root.glob(pattern)]:
            _remove(left_out)

    for models in (root / "botocore" / "data", root / "boto3" / "data"):
        if not models.is_dir():
            continue
        for service in models.iterdir():
            if service.is_dir() and service.name not in SERVICES:
                shutil.rmtree(service)


def compile_all(root: Path, interpreter: str) -> None:
    """Compiles every module under ``root`` with ``interpreter``: Standby's own into
    ``__pycache__`` beside its sources, the libraries' in place of their sources."""
    ours = [str(root / name) for name in OURS]
    not_ours = "^" + re.escape(str(root)) + "/(" + "|".join(map(re.escape, OURS)) + ")(/|$)"
    common = ["-m", "compileall", "-q", "-q", "-j", "0"]
    common += ["--invalidation-mode", "unchecked-hash", "-s", str(root), "-p", PACKAGE_ROOT]
    for arguments in ([*common, *ours], [*common, "-b", "-x", not_ours, str(root)]):
        done = subprocess.run(
            [interpreter, *arguments],
            env={**os.environ, "PYTHONHASHSEED": "0"},
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise SystemExit(f"compiling the package failed:\n{done.stdout}{done.stderr}")
    for source in root.rglob("*.py"):
        if source.relative_to(root).parts[0] not in OURS and source.with_suffix(".pyc").exists():
            source.unlink()


def strip_symbols(root: Path) -> None:
    """Strips the symbol tables from the native extensions, as distributions' packagers do:
    the dynamic symbols the interpreter links against stay."""
    strip = shutil.which("strip")
    if strip is None:
        print("slim_package: no `strip` here: native extensions keep their symbols")
        return
    for library in sorted(root.rglob("*.so")):
        subprocess.run([strip, "--strip-unneeded", str(library)], check=True)


def _unpack(archive: Path, into: Path) -> dict[str, int]:
    """Unpacks ``archive``; returns each file's Unix mode."""
    modes: dict[str, int] = {}
    with zipfile.ZipFile(archive) as source:
        for info in source.infolist():
            if info.is_dir():
                continue
            source.extract(info, into)
            modes[info.filename] = info.external_attr >> 16
    return modes


def _pack(root: Path, archive: Path, modes: dict[str, int]) -> int:
    """Packs ``root`` into ``archive``, entries sorted, time stamps and modes fixed."""
    names = sorted(path.relative_to(root).as_posix() for path in root.rglob("*") if path.is_file())
    with zipfile.ZipFile(archive, "w") as target:
        for name in names:
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = (modes.get(name) or 0o100644) << 16
            target.writestr(info, (root / name).read_bytes(), compresslevel=9)
    return len(names)


def _size(root: Path) -> int:
    return sum(path.stat().st_size for path in root.rglob("*") if path.is_file())


def slim(package_dir: Path) -> Slimmed:
    """Slims ``package_dir/deployment.zip`` in place, for the runtime in ``sam.json``."""
    archive = package_dir / "deployment.zip"
    runtime = runtime_of(package_dir / "sam.json")
    interpreter = interpreter_for(runtime)
    zipped_before = archive.stat().st_size
    with tempfile.TemporaryDirectory(prefix="standby-package-") as scratch:
        root = Path(scratch) / "task"
        modes = _unpack(archive, root)
        unpacked_before = _size(root)
        trim(root)
        strip_symbols(root)
        if interpreter is not None:
            compile_all(root, interpreter)
        else:
            print(
                f"slim_package: no {runtime} interpreter here (neither this one, "
                f"{sys.version_info.major}.{sys.version_info.minor}, nor python"
                f"{runtime.removeprefix('python')} on PATH): the zip ships sources only, "
                "and every cold start in Lambda will compile them",
                file=sys.stderr,
            )
        unpacked_after = _size(root)
        rebuilt = Path(scratch) / "deployment.zip"
        files = _pack(root, rebuilt, modes)
        shutil.move(rebuilt, archive)
    return Slimmed(
        zipped_before=zipped_before,
        zipped_after=archive.stat().st_size,
        unpacked_before=unpacked_before,
        unpacked_after=unpacked_after,
        files=files,
        compiled=interpreter is not None,
        runtime=runtime,
    )


def _megabytes(size: int) -> str:
    return f"{size / 1e6:.1f} MB"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "package_dir",
        type=Path,
        nargs="?",
        default=Path("build/package"),
        help="where chalice package wrote sam.json and deployment.zip",
    )
    args = parser.parse_args(argv)
    result = slim(args.package_dir)
    print(
        f"deployment.zip: {_megabytes(result.zipped_before)} -> "
        f"{_megabytes(result.zipped_after)} zipped, {_megabytes(result.unpacked_before)} -> "
        f"{_megabytes(result.unpacked_after)} unpacked, {result.files} files, "
        + (f"compiled for {result.runtime}" if result.compiled else "NOT compiled")
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
