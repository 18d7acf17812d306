"""Reading test-only pull subscriptions on the emulator."""

from __future__ import annotations

from typing import Any


def pull_messages(subscriber: Any, path: str, want: int, attempts: int = 30) -> list[Any]:
    """Pull and ack until `want` messages arrived (or `attempts` pulls of up to 5 s each)."""
    messages: list[Any] = []
    for _ in range(attempts):
        response = subscriber.pull(subscription=path, max_messages=100, timeout=5)
        if response.received_messages:
            subscriber.acknowledge(
                subscription=path, ack_ids=[m.ack_id for m in response.received_messages]
            )
            messages += [m.message for m in response.received_messages]
        if len(messages) >= want:
            break
    return messages
