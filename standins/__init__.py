"""The development world, beside the product and never shipped in it: stand-ins for Zendesk and
Slack, the harness that runs the real bot against them, and the demo.

The stand-ins import nothing of `bot`: a stand-in that shared code with what it tests would test
nothing. Only the harness and the demo import the bot, to drive it.
"""
