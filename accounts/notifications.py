"""The in-app inbox (and its email copies): what happened to a user's referrals, registrations and assessments.

Apps call ``notify`` inside their transaction; the rows appear with it, and mail goes out by a
Celery task after commit, to users who have an address. A notification keeps no name of a person:
its text names the subject by looking the object up when it is shown, and the email only says
that something is waiting, with a link.
"""

from django.apps import apps
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import Notification, User
from config.outage import enqueue_on_commit

TEXTS = {
    Notification.Kind.REFERRAL_RECEIVED: gettext_noop(
        "Surat rujukan {letter} dari {office}: {count} orang untuk {unit}."),
    Notification.Kind.REFERRAL_ACCEPTED: gettext_noop("{unit} menerima rujukan {subject}."),
    Notification.Kind.REFERRAL_DECLINED: gettext_noop("{unit} menolak rujukan {subject}; lihat alasannya."),
    Notification.Kind.REFERRAL_FORWARDED: gettext_noop("{unit} meneruskan rujukan {subject} ke {target}."),
    Notification.Kind.REFERRAL_SERVED: gettext_noop("{unit} mencatat layanan untuk {subject}."),
    Notification.Kind.REFERRAL_CLOSED: gettext_noop("{unit} menutup rujukan {subject}."),
    Notification.Kind.REFERRAL_OVERDUE: gettext_noop(
        "{count} rujukan dari surat {letter} belum dijawab setelah {days} hari."),
    Notification.Kind.REGISTRATION_REJECTED: gettext_noop(
        "Registrasi {subject} ditolak Dinas Sosial; perbaiki lalu ajukan lagi."),
    Notification.Kind.ASSESSMENT_RETURNED: gettext_noop("Asesmen {subject} dikembalikan untuk diperbaiki."),
}


def notify(*, recipients, kind: str, obj=None, url: str = "", params: dict | None = None,
           dedupe_key: str = "") -> list[Notification]:
    """Put a notification in each active recipient's inbox (once per ``dedupe_key``) and mail it after commit.

    ``params`` must not hold names of people: the text looks the subject (``obj``) up when shown.
    """
    created = []
    seen = set()
    for recipient in recipients:
        if recipient is None or not recipient.is_active or recipient.pk in seen:
            continue
        seen.add(recipient.pk)
        notification = Notification(
            recipient=recipient, kind=kind, url=url or (obj.get_absolute_url() if hasattr(obj, "get_absolute_url")
                                                       else ""),
            object_type=obj._meta.label_lower if obj is not None else "", object_id=str(obj.pk) if obj else "",
            params=params or {}, dedupe_key=dedupe_key,
        )
        try:
            with transaction.atomic():
                notification.save()
        except IntegrityError:
            continue  # already told (same dedupe key)
        created.append(notification)
    mail_ids = [notification.pk for notification in created if notification.recipient.email]
    if mail_ids:
        from accounts.tasks import notifications_email

        enqueue_on_commit(notifications_email, mail_ids)
    return created


def subject_labels(notifications) -> dict[int, str]:
    """{notification id: the subject's name as of now}, one query per kind of object.

    The name is the object's ``notification_label`` (a model may name the related rows it needs in
    ``notification_related`` for ``select_related``); a subject that no longer exists reads neutrally.
    """
    wanted: dict[str, set[str]] = {}
    for notification in notifications:
        if notification.object_type:
            wanted.setdefault(notification.object_type, set()).add(notification.object_id)
    objects: dict[tuple[str, str], object] = {}
    for object_type, ids in wanted.items():
        try:
            model = apps.get_model(object_type)
        except LookupError:
            continue
        queryset = model._default_manager.filter(pk__in=list(ids))
        related = getattr(model, "notification_related", ())
        if related:
            queryset = queryset.select_related(*related)
        for obj in queryset:
            objects[(object_type, str(obj.pk))] = obj
    labels = {}
    for notification in notifications:
        obj = objects.get((notification.object_type, notification.object_id))
        if obj is None:
            labels[notification.pk] = _("(data tidak tersedia)") if notification.object_type else ""
        else:
            labels[notification.pk] = getattr(obj, "notification_label", None) or str(obj)
    return labels


def notification_text(notification: Notification, subject: str) -> str:
    """The inbox line of ``notification`` in the active language, with ``subject`` named as of now."""
    template = TEXTS.get(notification.kind, "{kind}")
    values = {"kind": notification.get_kind_display(), **notification.params, "subject": subject}
    try:
        return _(template).format(**values)
    except (KeyError, IndexError):
        return str(notification.get_kind_display())


def notifications_with_text(notifications) -> list[Notification]:
    """The notifications with ``text`` set, for the inbox page."""
    notifications = list(notifications)
    labels = subject_labels(notifications)
    for notification in notifications:
        notification.text = notification_text(notification, labels.get(notification.pk, ""))
    return notifications


def unread_count(user) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def notifications_mark_read(*, user, notification_ids=None) -> int:
    """Mark the user's notifications read (all unread ones, or those in ``notification_ids``)."""
    queryset = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_ids is not None:
        queryset = queryset.filter(pk__in=notification_ids)
    return queryset.update(read_at=timezone.now())


def notifications_email_send(*, notification_ids: list[int]) -> int:
    """Mail each notification not mailed yet; the mail names no person, only what kind of news waits where."""
    from django.core.mail import send_mail

    sent = 0
    for notification in Notification.objects.filter(pk__in=notification_ids, emailed_at__isnull=True).select_related(
            "recipient"):
        recipient: User = notification.recipient
        if not recipient.email or not recipient.is_active:
            continue
        link = settings.SITE_URL + (notification.url or "/akun/notifikasi/")
        send_mail(
            subject="[SI-DBS] {}".format(notification.get_kind_display()),
            message=_(
                "Ada pemberitahuan baru untuk Anda di SI-DBS: {kind}.\n\nBuka {link} untuk melihatnya "
                "(masuk dengan akun Anda).\n\nPesan ini dikirim otomatis; jangan dibalas."
            ).format(kind=notification.get_kind_display(), link=link),
            from_email=None, recipient_list=[recipient.email],
        )
        Notification.objects.filter(pk=notification.pk).update(emailed_at=timezone.now())
        sent += 1
    return sent
