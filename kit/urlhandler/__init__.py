# SPDX-License-Identifier: GPL-3.0-or-later
"""pyserial URL handlers of the kit (``sim://``), found through
``serial.protocol_handler_packages`` once :func:`kit.links.register_url_handlers` ran."""
