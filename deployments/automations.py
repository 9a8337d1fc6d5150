"""Prefect automations that watch the weekly deployment, created (or updated in place) by `sneaker deploy`.

- `sneaker: weekly run failed`: a weekly-refresh run of the deployment ends Failed or Crashed (reactive).
- `sneaker: weekly run missing`: no run of the deployment completed within 8 days (proactive: a missed Monday).
- `sneaker: promotion refused`: a finished run was not promoted (drift or a worse model; the flow emits
  `sneaker.promotion.refused`).

Their action posts through a Custom Webhook notification block (`sneaker-notify`) pointed at
SNEAKER_NOTIFY_WEBHOOK; without it they do nothing but still fire, so their events show in the UI. Automations
are matched by name: a second `sneaker deploy` updates them instead of adding copies.
"""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

from prefect.automations import Automation, DoNothing, EventTrigger, Posture, SendNotification
from prefect.blocks.notifications import CustomWebhookNotificationBlock
from prefect.client.orchestration import get_client

from sneaker_core.governance.summaries import REFUSED_EVENT

WEEKLY = "weekly-refresh/weekly"  # flow name / deployment name in prefect.yaml
BLOCK_NAME = "sneaker-notify"
MISSED_AFTER = timedelta(days=8)
FAILED, MISSING, REFUSED = "sneaker: weekly run failed", "sneaker: weekly run missing", "sneaker: promotion refused"


def notification_block(webhook: str) -> UUID | None:
    """Save (or overwrite) the webhook notification block; its document id, or None without a webhook."""
    if not webhook:
        return None
    block = CustomWebhookNotificationBlock(name=BLOCK_NAME, url=webhook,
                                           json_data={"subject": "{{subject}}", "text": "{{body}}"})
    return block.save(BLOCK_NAME, overwrite=True)


def _notify(block_id: UUID | None, subject: str, body: str) -> list:
    return [SendNotification(block_document_id=block_id, subject=subject, body=body)] if block_id else [DoNothing()]


def weekly_automations(deployment_id: UUID, block_id: UUID | None) -> list[Automation]:
    """The three automations for the weekly deployment `deployment_id`."""
    of_deployment = {"prefect.resource.id": f"prefect.deployment.{deployment_id}",
                     "prefect.resource.role": "deployment"}
    return [
        Automation(
            name=FAILED, description="A weekly-refresh run of the weekly deployment ended Failed or Crashed.",
            trigger=EventTrigger(expect={"prefect.flow-run.Failed", "prefect.flow-run.Crashed"},
                                 match_related=of_deployment, posture=Posture.Reactive, threshold=1),
            actions=_notify(block_id, "Sneaker weekly run {{ flow_run.name }} ended {{ flow_run.state.name }}",
                            "Flow run {{ flow_run.name }} ({{ flow_run.id }}) of weekly-refresh/weekly ended "
                            "{{ flow_run.state.name }}: {{ flow_run.state.message }}"),
        ),
        Automation(
            name=MISSING, description="No weekly-refresh run of the weekly deployment completed in 8 days.",
            trigger=EventTrigger(expect={"prefect.flow-run.Completed"}, match_related=of_deployment,
                                 posture=Posture.Proactive, threshold=1, within=MISSED_AFTER),
            actions=_notify(block_id, "Sneaker weekly run missing",
                            "No weekly-refresh/weekly run has completed in the last 8 days: check the "
                            "schedule, the work pool and its worker."),
        ),
        Automation(
            name=REFUSED, description="A finished run was not promoted (drift or a worse model); the champion stays.",
            trigger=EventTrigger(expect={REFUSED_EVENT}, posture=Posture.Reactive, threshold=1),
            actions=_notify(block_id, "Sneaker run {{ event.resource['prefect.resource.name'] }} not promoted",
                            "Run {{ event.resource['prefect.resource.name'] }} was not promoted; champion stays "
                            "{{ event.payload.champion }}. Reasons: {{ event.payload.reasons | join('; ') }}"),
        ),
    ]


def ensure_automations(deployment_name: str, webhook: str) -> list[tuple[str, str]]:
    """Create the automations of `deployment_name` ("flow/deployment"), or update those of the same name (extra
    copies are deleted); returns (name, "created" | "updated") pairs."""
    block_id = notification_block(webhook)
    done = []
    with get_client(sync_client=True) as client:
        deployment_id = client.read_deployment_by_name(deployment_name).id
        for automation in weekly_automations(deployment_id, block_id):
            existing = client.read_automations_by_name(automation.name)
            for extra in existing[1:]:
                client.delete_automation(extra.id)
            if existing:
                automation.id = existing[0].id
                automation.update()
                done.append((automation.name, "updated"))
            else:
                automation.create()
                done.append((automation.name, "created"))
    return done
