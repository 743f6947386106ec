"""The alliance's pages: the public board, residents' requests, staff triage, partners' view."""

from django.shortcuts import render

from portal.cache import public_page


@public_page("alliance")
def board(request):
    """The public board (公示栏): the three lists, anonymised, and the year's figures."""
    return render(request, "alliance/board.html", {})
