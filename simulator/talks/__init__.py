"""Talks: protocols, negotiator strategies and mediator drafting rules, in one registry."""

from .registry import DRAFTERS, NEGOTIATORS, PROTOCOLS, listing

__all__ = ["DRAFTERS", "NEGOTIATORS", "PROTOCOLS", "listing"]
