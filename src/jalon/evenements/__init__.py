"""Press events (`événements`): invitees, invitations sent by e-mail, replies, sign-in sheet and
press kit.

An event is declared in a TOML file (`jalon.report.presse.Evenement`) and registered in the
*carnet*, a small SQLite file beside the statistics store (`BASE.evenements.sqlite`, readable by
its owner only). The carnet is the only place where Jalon keeps names and e-mail addresses: the
invitees' contact data that the communication service needs. The DuckDB store, which holds the
figures, never receives them. The carnet deletes an event with its contacts at the end of the
retention period the event declares.
"""

from jalon.evenements.carnet import Carnet, CarnetError, carnet_path, open_carnet

__all__ = ["Carnet", "CarnetError", "carnet_path", "open_carnet"]
