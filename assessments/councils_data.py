"""The peer groups the scheme starts with, and which group each part of the UK falls in.

Kept in one place so the import, the demo data and the tests agree. Coordinators can
rename groups and move councils afterwards; the import never undoes their changes.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class PeerGroupSeed:
    slug: str
    name: str
    description: str


PEER_GROUPS = [
    PeerGroupSeed(
        "london",
        "London",
        "The London boroughs, the City of London and the Greater London Authority.",
    ),
    PeerGroupSeed("midlands", "Midlands", "Councils in the East Midlands and the West Midlands."),
    PeerGroupSeed("south", "South", "Councils in the South East of England."),
    PeerGroupSeed("south-west", "South West", "Councils in the South West of England."),
    PeerGroupSeed(
        "yorkshire-and-humber", "Yorkshire and Humber", "Councils in Yorkshire and the Humber."
    ),
    PeerGroupSeed("north-west", "North West", "Councils in the North West of England."),
    PeerGroupSeed("north-east", "North East", "Councils in the North East of England."),
    PeerGroupSeed("east-of-england", "East of England", "Councils in the East of England."),
    PeerGroupSeed("wales", "Wales", "Councils in Wales."),
    PeerGroupSeed("scotland", "Scotland", "Councils in Scotland."),
    PeerGroupSeed("northern-ireland", "Northern Ireland", "Councils in Northern Ireland."),
]

# English regions, and the nations outside England (whose region is the nation's name).
PEER_GROUP_FOR_REGION = {
    "London": "london",
    "East Midlands": "midlands",
    "West Midlands": "midlands",
    "South East": "south",
    "South West": "south-west",
    "Yorkshire and The Humber": "yorkshire-and-humber",
    "North West": "north-west",
    "North East": "north-east",
    "East of England": "east-of-england",
    "Wales": "wales",
    "Scotland": "scotland",
    "Northern Ireland": "northern-ireland",
}


def peer_group_slug_for(nation, region):
    """The slug of the group a new council joins, or None if its place is not known.

    Outside England the nation decides, whatever the region column says.
    """
    return PEER_GROUP_FOR_REGION.get(region if nation == "England" else nation)
