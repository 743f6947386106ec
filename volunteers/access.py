"""Who may see what in the volunteer module: the one place views ask for guarded objects."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from portal import roles
from portal.access import require_role
from volunteers.models import Certificate, CorrectionRequest, Membership, Post, Signup, Team
from volunteers.services import is_coordinator


def led_teams(user):
    """The teams a user may manage: all for the coordinator, their own for a leader."""
    if not user.is_authenticated:
        return Team.objects.none()
    if is_coordinator(user):
        return Team.objects.all()
    return Team.objects.filter(leader=user)


def is_leader(user) -> bool:
    return is_coordinator(user) or (
        user.is_authenticated and Team.objects.filter(leader=user).exists()
    )


def get_team_for_leader(request, slug) -> Team:
    """A team the requesting user leads (or any, for the coordinator); 404 if unknown, else 403."""
    team = get_object_or_404(Team.objects.select_related("leader"), slug=slug)
    if not (is_coordinator(request.user) or team.leader_id == request.user.pk):
        raise PermissionDenied
    return team


def get_post_for_leader(request, pk) -> Post:
    """A post of a team the user leads; teamless posts (other modules') are the coordinator's."""
    post = get_object_or_404(Post.objects.select_related("team__leader", "service_day"), pk=pk)
    if is_coordinator(request.user):
        return post
    if post.team_id is None or post.team.leader_id != request.user.pk:
        raise PermissionDenied
    return post


def get_signup_for_leader(request, pk) -> Signup:
    signup = get_object_or_404(Signup.objects.select_related("post__team", "volunteer"), pk=pk)
    get_post_for_leader(request, signup.post_id)
    return signup


def get_my_signup(request, pk) -> Signup:
    """One of the requesting volunteer's own sign-ups, or 404 (never someone else's)."""
    return get_object_or_404(
        Signup.objects.select_related("post__team"), pk=pk, volunteer=request.user
    )


def get_membership_for_leader(request, pk) -> Membership:
    membership = get_object_or_404(Membership.objects.select_related("team", "user"), pk=pk)
    if membership.team_id is None:
        require_role(request, roles.VOLUNTEER_COORDINATOR)
    elif not (is_coordinator(request.user) or membership.team.leader_id == request.user.pk):
        raise PermissionDenied
    return membership


def get_correction_for_leader(request, pk) -> CorrectionRequest:
    correction = get_object_or_404(
        CorrectionRequest.objects.select_related("signup__post__team"), pk=pk
    )
    get_post_for_leader(request, correction.signup.post_id)
    return correction


def get_certificate_for_viewer(request, number) -> Certificate:
    """The full certificate: its volunteer and the coordinator only (others verify by code)."""
    certificate = get_object_or_404(Certificate, number=number)
    if certificate.volunteer_id != request.user.pk and not is_coordinator(request.user):
        raise Http404
    return certificate
