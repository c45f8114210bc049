"""The whole service on one machine: ``python -m local.stack`` (what ``make run`` starts).

On 127.0.0.1: the AWS emulator (moto in server mode, in a child process of its own, so it
has a core of its own), and in this process the Chalice routes, a stream pump, a scheduler
pump and an outbox printer, all against the same product code that runs in AWS. Then it
loads a demo business through the HTTP API and prints how to use it. ``LocalStack`` is the
same thing as an object, for tests.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import json
import logging
import os
import secrets
import signal
import socket
import sys
import threading
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any, TextIO
from zoneinfo import ZoneInfo

import boto3

from local.collector import set_for_serving
from local.dead_letters import DeadLetter, DeadLetters
from local.emulator_process import EmulatorError, EmulatorProcess
from local.emulator_streams import EmulatorStreams
from local.outbox import EmulatorSent, Outbox
from local.scheduler_pump import SchedulerPump
from local.server import LocalHttpServer
from local.signing import sign_scope_only
from local.stream_pump import StreamPump, consumers_from_app

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_scheduler import EventBridgeSchedulerClient
    from mypy_boto3_ses import SESClient

    from chalicelib.settings import Settings

logger = logging.getLogger("local.stack")

PROJECT_ROOT = Path(__file__).resolve().parent.parent
REGION = "eu-west-1"
DEFAULT_PORT = 8000
DEFAULT_MOTO_PORT = 5005
DEFAULT_EMAIL_SENDER = "bookings@standby.example"
DEMO_BUSINESS = "demo-salon"
DEMO_TIME_ZONE = "Europe/Oslo"
STAFF_TOKEN_LIFETIME = timedelta(days=30)
READ_WAIT_SECONDS = 1.0
"""How long a stream pump's or the outbox's read waits for something new: an idle stack
asks the emulator once a second per stream, and sees a new record as soon as it exists."""
READ_INTERVAL_SECONDS = 0.25
"""The least time between two reads of a stream that found records, as Lambda reads each
shard four times a second: under load, what is written meanwhile comes in one read and one
batch."""
FAKE_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
}


@dataclass(frozen=True)
class StackOptions:
    host: str = "127.0.0.1"
    port: int = DEFAULT_PORT
    """0 picks a free port."""
    moto_port: int = DEFAULT_MOTO_PORT
    """A busy port (or 0) means a free one is picked."""
    demo: bool = True
    state_dir: Path = PROJECT_ROOT / ".local"
    """Keeps the generated keys, so staff tokens and customer links survive restarts."""
    token_file: Path | None = None
    app_module: str = "app"
    max_retries: int = 3
    bisect_on_error: bool = False
    stream_partitions: int = 8
    """Each stream is delivered as this many partitions at once, by partition key, as a busy
    table's stream is split into shards read concurrently in AWS (the emulator keeps one)."""


@dataclass(frozen=True)
class DemoSlot:
    slot_id: str
    starts_at: str
    capacity: int
    service: str


@dataclass(frozen=True)
class Demo:
    business_id: str
    slots: list[DemoSlot] = field(default_factory=list)
    error: str | None = None


class StackError(RuntimeError):
    pass


class LocalStack:
    def __init__(
        self,
        options: StackOptions | None = None,
        *,
        app_loader: Callable[[], Any] | None = None,
        out: TextIO | None = None,
    ) -> None:
        """``app_loader`` returns the Chalice app; by default ``options.app_module`` is
        imported once the environment points at the emulator."""
        self.options = options or StackOptions()
        self._app_loader = app_loader
        self._out = out if out is not None else sys.stdout
        self._saved_env: dict[str, str | None] = {}
        self._moto: EmulatorProcess | None = None
        self._http: LocalHttpServer | None = None
        self.dead_letters = DeadLetters()
        self.outbox = Outbox(out=self._out)
        self.stream_pump: StreamPump | None = None
        self.scheduler_pump: SchedulerPump | None = None
        self.app: Any = None
        self.settings: Settings | None = None
        self.moto_url = ""
        self.token = ""
        self.demo: Demo | None = None
        self._key_kept = False

    # --- lifecycle ----------------------------------------------------------------------

    def __enter__(self) -> LocalStack:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def api_url(self) -> str:
        if self._http is None:
            raise StackError("the stack is not running")
        host = self._http.host
        if host in ("0.0.0.0", "::", ""):
            host = "127.0.0.1"
        return f"http://{host}:{self._http.port}"

    @property
    def outbox_url(self) -> str:
        return f"{self.api_url}/_local/outbox"

    def start(self) -> LocalStack:
        try:
            self._start()
        except BaseException:
            self.stop()
            raise
        return self

    def _start(self) -> None:
        options = self.options
        self._start_emulator()
        try:
            self._http = LocalHttpServer(options.host, options.port)
        except OSError as error:
            raise StackError(
                f"cannot listen on {options.host}:{options.port} ({error.strerror}); "
                "pass --port to choose another port"
            ) from error
        self._point_environment_at_emulator()
        settings = self._load_settings()
        self._prepare_aws(settings)
        self.app = self._load_app()
        self._start_pumps(settings)
        self._http.add_view("/_local/outbox", self._outbox_view)
        self._http.add_view("/_local/dead-letters", self._dead_letters_view)
        self._http.add_action("/_local/dead-letters/replay", self._replay_dead_letters)
        self._http.serve(self.app)
        self.token = self._issue_token(settings, DEMO_BUSINESS)
        if options.token_file is not None:
            options.token_file.parent.mkdir(parents=True, exist_ok=True)
            options.token_file.write_text(self.token + "\n")
        self.demo = self._load_demo() if options.demo else None

    def stop(self) -> None:
        for stoppable in (self.scheduler_pump, self.stream_pump, self.outbox):
            if stoppable is not None:
                with _logged("stopping a pump"):
                    stoppable.stop()
        if self._http is not None:
            with _logged("stopping the HTTP server"):
                self._http.stop()
            self._http = None
        if self._moto is not None:
            with _logged("stopping the emulator"):
                self._moto.stop()
            self._moto = None
        self._restore_environment()

    # --- the emulator -------------------------------------------------------------------

    def _start_emulator(self) -> None:
        host = "127.0.0.1"
        port = self.options.moto_port
        if port and not _port_is_free(host, port):
            logger.info("port %d is busy; the emulator takes a free one", port)
            port = 0
        self._moto = EmulatorProcess(host, port)
        try:
            self.moto_url = self._moto.start()
        except EmulatorError as error:
            raise StackError(str(error)) from error
        sent = EmulatorSent(self.moto_url)
        self.outbox = Outbox(
            out=self._out, source=sent, wait_for_more=sent.wait, wait_seconds=READ_WAIT_SECONDS
        )

    def _point_environment_at_emulator(self) -> None:
        assert self._http is not None
        state_dir = self.options.state_dir
        self._key_kept = not os.environ.get("STAFF_TOKEN_SECRET")
        values = {
            **FAKE_CREDENTIALS,
            "AWS_ENDPOINT_URL": self.moto_url,
            "AWS_DEFAULT_REGION": REGION,
            "AWS_REGION": REGION,
            # botocore would send DynamoDB Streams calls to an account-specific endpoint.
            "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled",
            "PUBLIC_BASE_URL": self.api_url,
            "STAFF_TOKEN_SECRET": os.environ.get("STAFF_TOKEN_SECRET")
            or _kept_secret(state_dir / "staff-token-secret"),
            "LINK_SIGNING_KEY": os.environ.get("LINK_SIGNING_KEY")
            or _kept_secret(state_dir / "link-signing-key"),
            "EMAIL_SENDER": os.environ.get("EMAIL_SENDER") or DEFAULT_EMAIL_SENDER,
        }
        for name, value in values.items():
            self._set_env(name, value)
        # A profile or an identity provider would take precedence over the local values, and
        # the Lambda runtime's marker would make the settings demand a deployed function's.
        for name in ("AWS_PROFILE", "STAFF_TOKEN_JWKS_URL", "AWS_LAMBDA_FUNCTION_NAME"):
            self._set_env(name, None)

    def _set_env(self, name: str, value: str | None) -> None:
        if name not in self._saved_env:
            self._saved_env[name] = os.environ.get(name)
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value

    def _restore_environment(self) -> None:
        for name, value in self._saved_env.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        self._saved_env.clear()
        if "chalicelib.settings" in sys.modules:
            sys.modules["chalicelib.settings"].get_settings.cache_clear()

    def _load_settings(self) -> Settings:
        from chalicelib.settings import get_settings

        # Settings are read once per process; this process may have read them before the
        # environment pointed here.
        get_settings.cache_clear()
        settings = get_settings()
        self.settings = settings
        return settings

    def _dynamodb(self) -> DynamoDBClient:
        return boto3.client("dynamodb", region_name=REGION, endpoint_url=self.moto_url)

    def _ses(self) -> SESClient:
        return boto3.client("ses", region_name=REGION, endpoint_url=self.moto_url)

    def _scheduler(self) -> EventBridgeSchedulerClient:
        return boto3.client("scheduler", region_name=REGION, endpoint_url=self.moto_url)

    def _prepare_aws(self, settings: Settings) -> None:
        from chalicelib.adapters.dynamodb.tables import all_table_definitions, create_all_tables

        dynamodb = self._dynamodb()
        wanted = {definition["TableName"] for definition in all_table_definitions()}
        existing = set(dynamodb.list_tables()["TableNames"])
        if not wanted <= existing:
            create_all_tables(dynamodb)
        ses = self._ses()
        # The emulator, like SES in its sandbox, refuses mail from an unverified sender.
        _, address = _parse_address(settings.email_sender)
        ses.verify_email_identity(EmailAddress=address)
        if "@" in address:
            ses.verify_domain_identity(Domain=address.split("@", 1)[1])

    def _load_app(self) -> Any:
        if self._app_loader is not None:
            return self._app_loader()
        if str(PROJECT_ROOT) not in sys.path:
            sys.path.insert(0, str(PROJECT_ROOT))
        module = importlib.import_module(self.options.app_module)
        return module.app

    # --- pumps and views ----------------------------------------------------------------

    def _start_pumps(self, settings: Settings) -> None:
        self.stream_pump = StreamPump(
            dynamodb=self._dynamodb(),
            streams=EmulatorStreams(self.moto_url, region=REGION),
            consumers=consumers_from_app(self.app, _stream_tables(settings)),
            dead_letters=self.dead_letters,
            region=REGION,
            max_retries=self.options.max_retries,
            bisect_on_error=self.options.bisect_on_error,
            partitions=self.options.stream_partitions,
            # Each read waits for records instead of polling; the emulator rolls a failed
            # transaction back in place, so an iterator never reads a discarded stream.
            read_wait_seconds=READ_WAIT_SECONDS,
            reposition_when_idle=False,
            read_interval=READ_INTERVAL_SECONDS,
            records_as_json=True,
        )
        self.scheduler_pump = SchedulerPump(
            scheduler=self._scheduler(),
            app=self.app,
            dead_letters=self.dead_letters,
            region=REGION,
            after_call=self.stream_pump.nudge,
        )
        assert self._http is not None
        self._http.after_request = self.stream_pump.nudge
        self.outbox.start()
        self.stream_pump.start()
        self.scheduler_pump.start()

    def _outbox_view(self) -> dict[str, Any]:
        return {
            "messages": [message.to_json() for message in self.outbox.messages()],
            "dead_letters": self.dead_letters.to_json(),
        }

    def _dead_letters_view(self) -> dict[str, Any]:
        return {"dead_letters": self.dead_letters.to_json()}

    def _replay_dead_letters(self) -> dict[str, Any]:
        """Every parked record and event delivered again through its pump, as at first."""
        replayed = self.dead_letters.replay(self._redeliver)
        return {**replayed.to_json(), "dead_letters": self.dead_letters.to_json()}

    def _redeliver(self, letter: DeadLetter) -> str | None:
        if letter.source == "dynamodb-stream" and self.stream_pump is not None:
            return self.stream_pump.redeliver(letter.function, letter.payload)
        if letter.source == "scheduler" and self.scheduler_pump is not None:
            return self.scheduler_pump.redeliver(letter)
        return f"nothing here replays {letter.source}"

    def _issue_token(self, settings: Settings, business_id: str) -> str:
        from chalicelib.adapters.tokens import issue_local_staff_token

        if not settings.staff_token_secret:
            raise StackError("no staff token secret")
        return issue_local_staff_token(
            settings.staff_token_secret,
            business_id,
            now=datetime.now(UTC),
            claim=settings.staff_business_claim,
            lifetime=STAFF_TOKEN_LIFETIME,
        )

    # --- demo data, through the API as a user would ---------------------------------------

    def _load_demo(self) -> Demo:
        try:
            return self._create_demo()
        except StackError as error:
            logger.error("demo data not loaded: %s", error)
            return Demo(business_id=DEMO_BUSINESS, error=str(error))

    def _create_demo(self) -> Demo:
        self._api(
            "PUT",
            "/staff/business",
            {"name": "Demo Salon", "time_zone": DEMO_TIME_ZONE, "language": "en"},
        )
        services = self._api(
            "POST", "/staff/services", {"name": "Haircut", "duration_minutes": 30}
        ).get("services", [])
        haircut = next((s for s in services if s.get("name") == "Haircut"), None)
        if haircut is None and services:
            haircut = services[-1]
        if haircut is None:
            raise StackError("POST /staff/services returned no service")
        zone = ZoneInfo(DEMO_TIME_ZONE)
        tomorrow = (datetime.now(zone) + timedelta(days=1)).date()
        wanted = [(time(10, 0), 1), (time(10, 30), 1), (time(11, 0), 2), (time(13, 0), 1)]
        slots = [
            {
                "service_id": haircut["service_id"],
                "starts_at": datetime.combine(tomorrow, at, tzinfo=zone).isoformat(),
                "capacity": capacity,
            }
            for at, capacity in wanted
        ]
        created = self._api("POST", "/staff/slots", {"slots": slots}).get("slots", [])
        return Demo(
            business_id=DEMO_BUSINESS,
            slots=[
                DemoSlot(
                    slot_id=str(slot.get("slot_id", "")),
                    starts_at=str(slot.get("starts_at", "")),
                    capacity=int(slot.get("capacity", 0)),
                    service="Haircut",
                )
                for slot in created
            ],
        )

    def _api(self, method: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
        request = urllib.request.Request(
            f"{self.api_url}{path}",
            data=json.dumps(body).encode("utf-8"),
            method=method,
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {self.token}"},
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                payload = json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as error:
            detail = error.read().decode("utf-8", "replace")[:500]
            raise StackError(f"{method} {path} -> {error.code}: {detail}") from error
        except (urllib.error.URLError, OSError, ValueError) as error:
            raise StackError(f"{method} {path} failed: {error}") from error
        return payload if isinstance(payload, dict) else {}

    # --- what the user sees -------------------------------------------------------------

    def banner(self) -> str:
        settings = self.settings
        lines = [
            "",
            "Standby local stack is ready.",
            f"  API            {self.api_url}",
            f"  Outbox         {self.outbox_url}   (every email and SMS sent)",
            f"  Dead letters   {self.api_url}/_local/dead-letters   "
            "(what kept failing; POST .../replay delivers it again)",
            f"  Booking site   {self.api_url}/s/{DEMO_BUSINESS}   (what customers open)",
            f"  Staff board    {self.api_url}/board   (sign in with the staff token below)",
            f"  AWS emulator   {self.moto_url}",
        ]
        if settings is not None:
            lines.append(
                f"  Tables         {settings.catalogue_table}, {settings.bookings_table}, "
                f"{settings.outbox_table}"
            )
        lines.append(f"  Business       {DEMO_BUSINESS}")
        demo = self.demo
        if demo is not None and demo.error:
            lines.append(f"  Demo data      NOT loaded: {demo.error}")
        elif demo is not None:
            lines.append("  Demo slots     (Haircut, tomorrow, Europe/Oslo)")
            lines.extend(
                f"    {slot.slot_id}  {slot.starts_at}  capacity {slot.capacity}"
                for slot in demo.slots
            )
        lines += [
            "",
            f"Staff token for {DEMO_BUSINESS} (valid {STAFF_TOKEN_LIFETIME.days} days"
            + (
                f"; its key is kept in {_shown(self.options.state_dir)}, so it survives restarts"
                if self._key_kept
                else ""
            )
            + "):",
            f"export API={self.api_url}",
            f"export BUSINESS={DEMO_BUSINESS}",
            f"export TOKEN={self.token}",
        ]
        first_single = next(
            (slot for slot in (demo.slots if demo else []) if slot.capacity == 1), None
        )
        if first_single is not None:
            lines.append(f"export SLOT={first_single.slot_id}")
        lines += [
            "",
            'Try: curl -s "$API/staff/slots" -H "Authorization: Bearer $TOKEN"',
            "Press Ctrl-C to stop.",
            "",
        ]
        return "\n".join(lines)


def _shown(path: Path) -> str:
    try:
        return f"{path.resolve().relative_to(Path.cwd())}/"
    except ValueError:
        return f"{path}/"


def _stream_tables(settings: Settings) -> Callable[[str], str]:
    from chalicelib.adapters.dynamodb.streams import table_of_placeholder

    tables = {
        "bookings": settings.bookings_table,
        "outbox": settings.outbox_table,
        "catalogue": settings.catalogue_table,
    }

    def table_of_stream(stream_arn: str) -> str:
        try:
            key = table_of_placeholder(stream_arn)
        except ValueError:
            # A real stream ARN: arn:aws:dynamodb:<region>:<account>:table/<name>/stream/<label>
            return stream_arn.split(":table/", 1)[1].split("/", 1)[0]
        if key not in tables:
            raise StackError(f"no table is known as {key!r} (from {stream_arn})")
        return tables[key]

    return table_of_stream


def _parse_address(sender: str) -> tuple[str, str]:
    from email.utils import parseaddr

    return parseaddr(sender)


def _kept_secret(path: Path) -> str:
    if path.exists():
        value = path.read_text().strip()
        if value:
            return value
    path.parent.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(32)
    path.write_text(value + "\n")
    path.chmod(0o600)
    return value


def _port_is_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


@contextlib.contextmanager
def _logged(what: str) -> Iterator[None]:
    try:
        yield
    except Exception:
        logger.exception("failed %s", what)


# --- command line -------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> StackOptions:
    parser = argparse.ArgumentParser(
        prog="python -m local.stack", description="Run Standby on this machine."
    )
    parser.add_argument("--host", default="127.0.0.1", help="where the API listens")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="API port (0: any free)")
    parser.add_argument(
        "--moto-port",
        type=int,
        default=DEFAULT_MOTO_PORT,
        help="AWS emulator port; a busy port (or 0) means any free one",
    )
    parser.add_argument("--no-demo", action="store_true", help="do not load the demo business")
    parser.add_argument(
        "--state-dir",
        type=Path,
        default=PROJECT_ROOT / ".local",
        help="where the generated keys are kept (default: .local/)",
    )
    parser.add_argument("--token-file", type=Path, help="also write the staff token here")
    parser.add_argument(
        "--max-retries",
        type=int,
        default=3,
        help="retries of a failing stream batch before its records are parked",
    )
    parser.add_argument(
        "--bisect-on-error",
        action="store_true",
        help="split a failing stream batch in two before retrying it",
    )
    parser.add_argument(
        "--stream-partitions",
        type=int,
        default=8,
        help="partitions of each stream delivered at once, by partition key (1: one in order)",
    )
    args = parser.parse_args(argv)
    return StackOptions(
        host=args.host,
        port=args.port,
        moto_port=args.moto_port,
        demo=not args.no_demo,
        state_dir=args.state_dir,
        token_file=args.token_file,
        max_retries=args.max_retries,
        bisect_on_error=args.bisect_on_error,
        stream_partitions=args.stream_partitions,
    )


def configure_logging() -> None:
    logging.basicConfig(
        level=logging.INFO,
        format="%(asctime)s %(levelname)-7s %(name)s: %(message)s",
        datefmt="%H:%M:%S",
        stream=sys.stdout,
    )
    # Every poll of the emulator is a request; its access log would drown everything else.
    for noisy in ("werkzeug", "botocore", "boto3", "urllib3"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def main(argv: list[str] | None = None) -> int:
    options = parse_args(argv)
    configure_logging()
    stopping = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stopping.set()

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    # Before the stack makes its first client: the emulator checks no signature.
    sign_scope_only()
    stack = LocalStack(options)
    try:
        stack.start()
    except StackError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    set_for_serving()
    try:
        print(stack.banner(), flush=True)
        while not stopping.wait(0.5):
            pass
        print("Stopping...", flush=True)
    finally:
        stack.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
