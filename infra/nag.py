"""cdk-nag (v3) acknowledgements, each with the reason a reviewer needs."""

from __future__ import annotations

from aws_cdk import Acknowledgment, Validations
from constructs import IConstruct


def suppress(construct: IConstruct, rule: str, reason: str) -> None:
    """Acknowledge an AwsSolutions finding (e.g. 'AwsSolutions-IAM5[Resource::*]') on a construct's subtree."""
    Validations.of(construct).acknowledge(Acknowledgment(id=f"AwsSolutions::{rule}", reason=reason))
