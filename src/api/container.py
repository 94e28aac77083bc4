"""The composition root: builds the store, the application, the timers, the read side, once."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from psycopg_pool import ConnectionPool

from xuncha.api.database import make_read_pool, make_recorder
from xuncha.api.settings import Settings
from xuncha.api.telemetry import Telemetry
from xuncha.commands.eventstore import migrate
from xuncha.commands.eventstore.store import EventStore, XunchaRecorder
from xuncha.commands.eventstore.subject_keys import SubjectKeys
from xuncha.commands.service import Application
from xuncha.commands.timers.base import Timers
from xuncha.commands.timers.deadline_warnings import DeadlineWarnings
from xuncha.commands.timers.lead_overdue import OverdueLeads
from xuncha.events.mapper import EnvelopeMapper
from xuncha.projections import rebuild
from xuncha.projections.audit_trail import AuditTrail
from xuncha.projections.base import Projection
from xuncha.projections.education_record import EducationRecordDocuments
from xuncha.projections.feedback_record import FeedbackRecord
from xuncha.projections.fieldwork_register import FieldworkRegister
from xuncha.projections.finding_record import FindingRecord
from xuncha.projections.group_record import GroupRecord
from xuncha.projections.inspection_overview import InspectionOverview
from xuncha.projections.inspector_record import InspectorRecord
from xuncha.projections.kafka_relay import KafkaRelay, KafkaTarget
from xuncha.projections.lead_dashboard import LeadDashboard
from xuncha.projections.lead_register import LeadRegister
from xuncha.projections.plan_record import PlanRecord
from xuncha.projections.pool_record import DrawRecord, PoolMemberRecord
from xuncha.projections.read_scope import ReadScope
from xuncha.projections.rectification_dashboard import RectificationDashboard
from xuncha.projections.rectification_ledger import RectificationLedger
from xuncha.projections.report_record import ReportRecord
from xuncha.projections.round_dashboard import RoundDashboard
from xuncha.projections.runner import ProjectionRunner
from xuncha.projections.shared_results import SharedResults
from xuncha.projections.supplementary_report_record import SupplementaryReportRecord
from xuncha.projections.term_coverage import TermCoverage


def read_models() -> list[Projection]:
    return [
        InspectionOverview(),
        RectificationLedger(),
        AuditTrail(),
        LeadRegister(),
        FieldworkRegister(),
        RoundDashboard(),
        RectificationDashboard(),
        LeadDashboard(),
        TermCoverage(),
        SharedResults(),
        InspectorRecord(),
        ReadScope(),
        *record_documents(),
    ]


def record_documents() -> list[Projection]:
    """The readable record behind each aggregate's id (docs/read-models.md, "Records")."""
    return [
        GroupRecord(),
        FindingRecord(),
        ReportRecord(),
        SupplementaryReportRecord(),
        FeedbackRecord(),
        PlanRecord(),
        PoolMemberRecord(),
        DrawRecord(),
        EducationRecordDocuments(),
    ]


def make_timers(app: Application) -> Timers:
    """The timers (process managers driven by time), issuing their commands through `app`;
    each keeps its own memory of the log, so one process builds them once."""
    return Timers([OverdueLeads(app), DeadlineWarnings(app)])


def make_runner(
    settings: Settings,
    conninfo: str,
    projections: list[Projection] | None = None,
    telemetry: Telemetry | None = None,
) -> ProjectionRunner:
    return ProjectionRunner(
        conninfo,
        read_models() if projections is None else projections,
        batch_size=settings.projection_batch_size,
        retry_attempts=settings.projection_retry_attempts,
        retry_backoff_seconds=settings.projection_retry_backoff_seconds,
        observe=telemetry.batch_observed if telemetry else None,
        upgrade=rebuild.upgrade,  # a read model whose version changed is rebuilt beside
    )


@dataclass
class Container:
    settings: Settings
    conninfo: str
    store: EventStore
    app: Application
    read_pool: ConnectionPool[Any]
    runner: ProjectionRunner
    timers: Timers
    projections: list[Projection] = field(default_factory=read_models)
    keys: SubjectKeys | None = None
    telemetry: Telemetry = field(default_factory=Telemetry)

    def close(self) -> None:
        self.runner.stop()
        self.read_pool.close()
        self.store.recorder.datastore.close()
        self.telemetry.close()


def make_store(
    settings: Settings, recorder: XunchaRecorder, telemetry: Telemetry | None = None
) -> tuple[EventStore, SubjectKeys]:
    """The event store sealing personal data under the subject keys (docs/security.md)."""
    keys = SubjectKeys(recorder.datastore, settings.kek_bytes, settings.wrapping_key_path)
    keys.open_ring()
    observe = telemetry.append_observed if telemetry else None
    return EventStore(recorder, EnvelopeMapper(sealer=keys), observe=observe), keys


def build(settings: Settings, conninfo: str, telemetry: Telemetry | None = None) -> Container:
    """The service's parts; `telemetry` (metrics, and traces when `XUNCHA_TRACING` is on) is
    made from the settings unless given (a test's in-memory span exporter)."""
    migrate.require_current(conninfo)  # SchemaBehind: `xuncha db migrate` first
    telemetry = telemetry or Telemetry.of(settings.tracing)
    recorder = make_recorder(conninfo, settings.api_threads, settings.timeouts)
    store, keys = make_store(settings, recorder, telemetry)
    projections = read_models()
    runner = make_runner(settings, conninfo, projections, telemetry)
    runner.setup()
    pool = make_read_pool(conninfo, settings.api_threads, settings.timeouts)
    telemetry.watch_pool(pool)
    telemetry.watch_pool(recorder.datastore.pool, "write", "command")
    app = Application(store, observe=telemetry.command_observed, trace=telemetry.command_span)
    return Container(
        settings, conninfo, store, app, pool, runner, make_timers(app), projections, keys, telemetry
    )


def kafka_target(settings: Settings) -> KafkaTarget:
    assert settings.kafka_bootstrap_servers, "XUNCHA_KAFKA_BOOTSTRAP_SERVERS is not set"
    return KafkaTarget(
        bootstrap_servers=settings.kafka_bootstrap_servers,
        topic_prefix=settings.kafka_topic_prefix,
        source=settings.kafka_source,
        partitions=settings.kafka_partitions,
        replication_factor=settings.kafka_replication_factor,
    )


def make_relay(settings: Settings, conninfo: str, telemetry: Telemetry | None = None) -> KafkaRelay:
    """The Kafka relay (log -> topics); only when Kafka is configured."""
    return KafkaRelay(
        conninfo,
        kafka_target(settings),
        batch_size=settings.relay_batch_size,
        observe=telemetry.relay_observed if telemetry else None,
    )
