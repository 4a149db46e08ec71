"""Send an event's invitations through SMTP: resumable, idempotent, rate-limited, logged per
invitee.

Settings come from the environment (`SmtpSettings.from_env`). Before a message leaves, its
invitee is claimed in the carnet (`en_cours`); once the relay has accepted it, it is `envoye`.
A re-run sends only to the invitees never claimed, or whose last attempt was refused or failed:
an invitee left `en_cours` by an interrupted run may have received the message, so they are
never sent it again automatically (the summary counts them as « à vérifier »). A recipient the
relay refuses is `refuse` (a bounce reported at sending time; later bounces arrive in the
sender's mailbox and can be entered by hand); any other SMTP error is `erreur`, with the relay's
code and text. Messages are paced to `per_minute`.
"""

from __future__ import annotations

import datetime as dt
import os
import smtplib
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from jalon.evenements.carnet import Carnet, DocumentsFiges, EvenementEnregistre, Invite
from jalon.evenements.courriel import invitation_message
from jalon.evenements.jetons import signed
from jalon.report.presse import Evenement

ENV = {
    "host": "JALON_SMTP_HOTE",
    "port": "JALON_SMTP_PORT",
    "starttls": "JALON_SMTP_STARTTLS",
    "user": "JALON_SMTP_UTILISATEUR",
    "password": "JALON_SMTP_MOT_DE_PASSE",
    "sender": "JALON_SMTP_EXPEDITEUR",
    "ca": "JALON_SMTP_CA",
}
_YES, _NO = ("1", "oui", "vrai", "true", "yes"), ("0", "non", "faux", "false", "no")


class EnvoiError(RuntimeError):
    """Sending cannot start or cannot go on (settings, relay unreachable, login refused)."""


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    starttls: bool
    user: str | None
    password: str | None
    sender: str
    ca_file: str | None = None

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> SmtpSettings:
        env = os.environ if environ is None else environ
        host = env.get(ENV["host"], "").strip()
        sender = env.get(ENV["sender"], "").strip()
        missing = [ENV[k] for k, v in (("host", host), ("sender", sender)) if not v]
        if missing:
            raise EnvoiError(
                f"réglage d'envoi manquant : {', '.join(missing)}. Donnez au moins le serveur "
                f"({ENV['host']}) et l'adresse d'expédition ({ENV['sender']}) ; voir "
                "docs/evenements.md."
            )
        flag = env.get(ENV["starttls"], "oui").strip().lower()
        if flag not in (*_YES, *_NO):
            raise EnvoiError(f"{ENV['starttls']} vaut « {flag} » : attendu oui ou non.")
        starttls = flag in _YES
        port_text = env.get(ENV["port"], "587" if starttls else "25").strip()
        if not port_text.isdigit() or not 0 < int(port_text) < 65536:
            raise EnvoiError(f"{ENV['port']} vaut « {port_text} » : attendu un port de 1 à 65535.")
        user = env.get(ENV["user"]) or None
        password = env.get(ENV["password"]) or None
        if bool(user) != bool(password):
            raise EnvoiError(
                f"donnez {ENV['user']} et {ENV['password']} ensemble, ou aucun des deux."
            )
        return cls(
            host, int(port_text), starttls, user, password, sender, env.get(ENV["ca"]) or None
        )


@dataclass
class Bilan:
    """What a run did, per outcome."""

    envoyes: int = 0
    deja_envoyes: int = 0
    a_verifier: int = 0
    refuses: int = 0
    erreurs: int = 0
    details: list[str] = field(default_factory=list)


def _connect(settings: SmtpSettings) -> smtplib.SMTP:
    try:
        smtp = smtplib.SMTP(settings.host, settings.port, timeout=30)
        if settings.starttls:
            context = ssl.create_default_context(cafile=settings.ca_file)
            smtp.starttls(context=context)
        if settings.user and settings.password:
            smtp.login(settings.user, settings.password)
    except smtplib.SMTPAuthenticationError:
        raise EnvoiError(
            f"le serveur {settings.host} refuse l'identifiant ou le mot de passe "
            f"({ENV['user']}, {ENV['password']})."
        ) from None
    except smtplib.SMTPNotSupportedError:
        raise EnvoiError(
            f"le serveur {settings.host} ne propose pas STARTTLS : vérifiez le port, ou mettez "
            f"{ENV['starttls']}=non pour un relais local."
        ) from None
    except ssl.SSLError as exc:
        raise EnvoiError(
            f"connexion chiffrée refusée par {settings.host} ({exc.reason}) : vérifiez son "
            f"certificat, ou donnez l'autorité qui l'a signé dans {ENV['ca']}."
        ) from None
    except (OSError, smtplib.SMTPException) as exc:
        raise EnvoiError(
            f"serveur d'envoi {settings.host}:{settings.port} injoignable ({exc}) : vérifiez "
            f"{ENV['host']} et {ENV['port']}."
        ) from None
    return smtp


def send_invitations(
    carnet: Carnet,
    event: EvenementEnregistre,
    declaration: Evenement,
    documents: DocumentsFiges,
    settings: SmtpSettings,
    *,
    public_url: str,
    secret: bytes,
    per_minute: int = 30,
    progress: Callable[[Invite, str], None] | None = None,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> Bilan:
    result = Bilan()
    pending: list[Invite] = []
    for invite in carnet.invitees(event.id):
        if invite.envoi == "envoye":
            result.deja_envoyes += 1
        elif invite.envoi == "en_cours":
            result.a_verifier += 1
        else:
            pending.append(invite)
    if not pending:
        return result
    interval = 60.0 / per_minute
    smtp = _connect(settings)
    last = None
    try:
        for invite in pending:
            if last is not None and (wait := interval - (clock() - last)) > 0:
                sleep(wait)
            if not carnet.mark_sending(invite.id):
                result.deja_envoyes += 1
                continue
            link = f"{public_url.rstrip('/')}/reponse/{signed(secret, invite.jeton)}"
            message = invitation_message(
                event=event, declaration=declaration, documents=documents, invite=invite,
                sender=settings.sender, link=link, now=dt.datetime.now(),
            )  # fmt: skip
            last = clock()
            try:
                smtp.send_message(message)
            except smtplib.SMTPRecipientsRefused as exc:
                code, text = next(iter(exc.recipients.values()))
                detail = (
                    f"{code} {text.decode(errors='replace') if isinstance(text, bytes) else text}"
                )
                carnet.mark_sent(invite.id, "refuse", detail)
                result.refuses += 1
                outcome = "refusé"
            except smtplib.SMTPResponseException as exc:
                carnet.mark_sent(invite.id, "erreur", f"{exc.smtp_code} {exc.smtp_error!r}")
                result.erreurs += 1
                outcome = "erreur"
            except (OSError, smtplib.SMTPServerDisconnected) as exc:
                carnet.mark_sent(invite.id, "erreur", str(exc))
                result.erreurs += 1
                raise EnvoiError(
                    f"connexion au serveur d'envoi perdue ({exc}) : relancez la commande, les "
                    "invitations déjà envoyées ne repartiront pas."
                ) from None
            else:
                carnet.mark_sent(invite.id, "envoye")
                result.envoyes += 1
                outcome = "envoyé"
            if progress:
                progress(invite, outcome)
    finally:
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            smtp.close()
    return result
