"""Run the provider simulator: python manage.py sandbox --port 8001."""

from __future__ import annotations

import contextlib
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from callviewer.sandbox.server import build


class Command(BaseCommand):
    help = "Run the provider simulator (TalkStack, SignalWire, Sinch, Twilio media) on 127.0.0.1."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8001)
        parser.add_argument("--seed", type=int, default=7)
        parser.add_argument(
            "--delay", type=float, default=0.0, help="seconds added to every answer"
        )
        parser.add_argument(
            "--error-rate", type=float, default=0.0, help="share of requests that fail"
        )
        parser.add_argument(
            "--media-size",
            type=int,
            default=0,
            metavar="BYTES",
            help="every recording's WAV is this long, made as it is sent (default: its duration)",
        )
        parser.add_argument(
            "--media-rate",
            type=float,
            default=0.0,
            metavar="BYTES_PER_SECOND",
            help="each recording answer is sent no faster than this (default: as fast as it can)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        sandbox = build(options["seed"])
        sandbox.faults.delay = options["delay"]
        sandbox.faults.error_rate = options["error_rate"]
        if options["media_size"] < 0 or options["media_rate"] < 0:
            raise CommandError("--media-size and --media-rate cannot be negative.")
        sandbox.faults.media_size = options["media_size"]
        sandbox.faults.media_rate = options["media_rate"]
        self.stdout.write(f"Provider simulator on http://{options['host']}:{options['port']}")
        with contextlib.suppress(KeyboardInterrupt):
            sandbox.serve_forever(options["host"], options["port"])
