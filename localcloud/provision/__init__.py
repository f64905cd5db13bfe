"""Provisioning: the templates' resources created in moto, by resource type (one module per service group)."""

from .provisioner import Provisioner
from .registry import ACCOUNT, NOT_RUN_REASONS, NotRun, Provisioned, Registry, physical_name

__all__ = ["ACCOUNT", "NOT_RUN_REASONS", "NotRun", "Provisioned", "Provisioner", "Registry", "physical_name"]
