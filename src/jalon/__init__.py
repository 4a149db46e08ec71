"""Jalon: steer and assess a training plan for job seekers, from funders' files to the bilan."""

__version__ = "0.1.0"
