"""The `xuncha` command line (Typer): one app, a sub-app per group of commands. `main(argv)`
runs it and returns the exit status, as `xuncha …` and `python -m xuncha.api.cli …` do."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Annotated, Protocol

import typer

# Typer's public base of its (vendored click's) exceptions: usage errors leave with status 2.
from typer.exceptions import TyperException

from xuncha.api.cli import audit, documents, proofs, read_side, security
from xuncha.api.cli.runtime import fail, load_settings, runtime
from xuncha.api.cli.typer_app import ActingRole, new_app
from xuncha.api.settings import Settings

app = new_app("巡察 Xuncha 后端命令 / the Xuncha (巡察) back end")
clock = new_app("定时流程 / time-driven process managers")


@app.command(
    help="运行 API，并在子进程中运行后台任务（SIGTERM 或 Ctrl-C 停止）/ run the API, and the "
    "background duties in a process of their own (XUNCHA_BACKGROUND; SIGTERM or Ctrl-C stops)"
)
def serve(
    host: Annotated[
        str | None, typer.Option(help="监听地址 / address to listen on (default: XUNCHA_HOST)")
    ] = None,
    port: Annotated[int | None, typer.Option(help="端口 / port (default: XUNCHA_PORT)")] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            min=1,
            max=64,
            help="共享端口的 API 进程数 / API processes sharing the port (default: XUNCHA_WORKERS)",
        ),
    ] = None,
    # An inherited listening socket: how the parent `serve` starts its API processes.
    fd: Annotated[int | None, typer.Option(hidden=True)] = None,
) -> None:
    """The API in N processes and the background duties in one more, on the embedded
    database if none is set (api/cli/serving.py)."""
    from xuncha.api.cli import serving

    settings = load_settings()
    serving.serve(
        settings,
        host or settings.host,
        settings.port if port is None else port,
        settings.workers if workers is None else workers,
        fd,
    )


@app.command(
    help="运行后台任务：投影、Kafka 转发、定时器、检查点签名（SIGTERM 或 Ctrl-C 停止）/ run the "
    "background duties: projections, Kafka relay, timers, checkpoint signer (SIGTERM or Ctrl-C "
    "stops)"
)
def work() -> None:
    """The runner, relay, clock and signer, each active here or standing by for the one
    active in another process (advisory locks); `xuncha serve` starts one as its child."""
    from xuncha.api.cli import serving

    serving.work(load_settings())


@app.command(help="通过命令加载榆林式演示数据 / load the Yulin-like demo data through the commands")
def demo(
    seed: Annotated[
        int, typer.Option(help="使每个选择和编号可重现 / makes every choice and id repeatable")
    ] = 1,
) -> int:
    """Load the Yulin-like demo data set through the command layer, then build read models."""
    from xuncha.api.cli.demo import AlreadyLoaded, load

    with runtime() as rt:
        container = rt.container
        try:
            issued = load(container.app, seed=seed)
        except AlreadyLoaded as error:
            raise fail(f"xuncha demo: the database already holds data ({error})", 1) from None
        container.runner.catch_up_once()
        print(f"demo loaded: {issued} commands, {container.store.head()} events")
    return 0


@app.command(help="签发开发用令牌 / mint a development bearer token")
def token(
    user: Annotated[str, typer.Option(help="用户 / user id")],
    # No token carries `system`: the clock acts only inside the service (api/http/auth.py).
    role: Annotated[ActingRole, typer.Option(help="角色 / role")],
    org: Annotated[str, typer.Option(help="组织 / organization id")],
    hours: Annotated[float, typer.Option(help="有效小时 / hours valid")] = 8.0,
) -> int:
    """Mint a development token (HS256 with the configured secret)."""
    from xuncha.api.http.auth import mint
    from xuncha.events.base import Role

    settings = load_settings()
    try:
        minted = mint(
            settings,
            user_id=user,
            role=Role(role.value),
            organization_id=org,
            ttl=timedelta(hours=hours),
        )
    except ValueError as error:  # RS256: the identity provider issues tokens
        raise fail(f"xuncha token: {error}") from None
    print(minted)
    return 0


# ---- clock ----------------------------------------------------------------------------------


class TickArgs(Protocol):
    now: str | None


def tick_moment(settings: Settings, text: str | None) -> datetime:
    """The moment `xuncha clock tick` decides as of: now, or `--now` (UTC if no offset).
    Outside development a `--now` ahead of the real clock is refused: timers would decide on
    deadlines that have not passed. The events are recorded at the real time either way."""
    real = datetime.now(UTC)
    if text is None:
        return real
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"--now must be an ISO date-time, got {text!r}") from None
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    if moment > real and settings.environment != "development":
        raise ValueError(
            f"--now {moment.isoformat()} is ahead of the real clock ({real.isoformat()}); "
            "only a development environment ticks in the future"
        )
    return moment


def clock_tick(settings: Settings, args: TickArgs) -> int:
    """Run every timer once, as of now or `args.now`, and print what each issued; 2 when
    `--now` is refused."""
    try:
        moment = tick_moment(settings, args.now)
    except ValueError as error:
        print(f"xuncha clock tick: {error}", file=sys.stderr)
        return 2
    with runtime(settings) as rt:
        print(json.dumps(rt.container.timers.tick(moment)))
    return 0


@clock.command("tick", help="运行每个定时器一次 / run every timer once")
def tick(
    now: Annotated[
        str | None,
        typer.Option(
            metavar="ISO",
            help="以此 ISO 时间为准（默认现在；晚于现在仅限开发环境）/ ISO time to tick as of "
            "(default: now; later than now only in development)",
        ),
    ] = None,
) -> int:
    return clock_tick(load_settings(), SimpleNamespace(now=now))


read_side.register(app)
app.add_typer(clock, name="clock")
security.register(app)
audit.register(app)
documents.register(app)
proofs.register(app)


def main(argv: list[str] | None = None) -> int:
    """Run `xuncha` with `argv` (default: the process's arguments); the exit status. A usage
    error says what is wrong on stderr and leaves with SystemExit(2)."""
    command = typer.main.get_command(app)
    try:
        code = command.main(
            args=sys.argv[1:] if argv is None else argv, prog_name="xuncha", standalone_mode=False
        )
    except TyperException as error:
        show = getattr(error, "show", None)  # click's exceptions print themselves
        if callable(show):
            show()
        else:
            print(f"Error: {error.format_message()}", file=sys.stderr)
        raise SystemExit(error.exit_code) from None
    except typer.Abort:
        print("Aborted!", file=sys.stderr)
        return 1
    return code if isinstance(code, int) else 0


if __name__ == "__main__":
    sys.exit(main())
