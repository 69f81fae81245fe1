# SPDX-License-Identifier: GPL-3.0-or-later
"""An ESP32-S2/S3 in ROM download mode behind a UART, in virtual time.

The wire. Every byte costs 10 bit times (start, 8 data bits, stop) at the UART's current baud
rate, in both directions; the chip handles one command at a time and answers when the work is
done (:mod:`sim.esp_rom.loader` says how long). The ROM auto-detects the host's baud rate from
the SYNC pattern, so until a CHANGE_BAUDRATE the UART follows whatever speed the host opened
the port at; after it, the answer still goes out at the old speed and then the UART switches.
When the host's speed is known (the in-process ``sim://`` link reports it) and differs from the
UART's, the bytes are garbled: the simulator drops them and counts them in
``garbled_bytes``. Over a pty the host's speed is not visible, so only the UART's counts.

Modem lines (in-process link only). The usual auto-program circuit of USB-UART boards: EN is
low while RTS is asserted and DTR is not, GPIO0 is low while DTR is asserted and RTS is not; on
EN's rising edge the chip boots, into download mode if GPIO0 is low, otherwise into its
application (where this simulator stays silent, as a board running CircuitPython would be for
esptool). The ROM prints its boot log at each reset.

Options (``sim://esp32s3?option=value``; ``kit sim serve esp32s3 --pty --option value``):
- ``flash_size``: flash size in MiB (1, 2, 4, 8, 16; default 4);
- ``mac``: the chip's MAC address (``aa:bb:cc:dd:ee:ff``);
- ``boot``: ``download`` (default: BOOT was held at reset) or ``app`` (the chip runs its
  application and does not answer esptool);
- ``button_after_s``: the animateur presses BOOT+RESET this many seconds after the port was
  opened: the chip reboots into download mode;
- ``answer_as``: answer as another chip (``esp32s2``, ``esp32s3``, ``esp32c3``);
- ``corrupt_packet``: the data block with this sequence number (as esptool counts them, from
  0) arrives damaged; ``corrupt_mode=checksum`` (default, one byte flipped on the wire: the
  loader's checksum rejects it) or ``silent`` (damaged while written to flash: only an MD5
  check can see it); ``corrupt_count``: how many deliveries of that block are damaged
  (default 3, which defeats esptool's two retries);
- ``stop_after``: stop answering after this many commands (a chip that hangs or a cable
  pulled mid-flash).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping

from firmware import esp_protocol as proto
from firmware import slip
from firmware.esp_protocol import Op, ProtocolError
from sim.device import (
    SimOptionError,
    SimulatedDevice,
    option_float,
    option_int,
    reject_unknown_options,
)
from sim.esp_rom import chips
from sim.esp_rom.flash import SparseFlash
from sim.esp_rom.loader import COMMAND_OVERHEAD_S, Loader, Reply
from sim.esp_rom.registers import RegisterFile

BITS_PER_BYTE = 10
INITIAL_BAUD = 115200
#: Time between EN rising and the ROM's first words, and for the stub to start.
BOOT_DELAY_S = 0.03
#: The RC network on EN delays its rise: GPIO0 is sampled when EN is really high, so the
#: classic DTR/RTS sequence (which pulls GPIO0 low just after releasing EN) works.
EN_RC_DELAY_S = 0.002
STUB_START_S = 0.005

_OPTIONS = {
    "flash_size",
    "mac",
    "boot",
    "button_after_s",
    "answer_as",
    "corrupt_packet",
    "corrupt_mode",
    "corrupt_count",
    "stop_after",
}


def _parse_mac(text: str) -> bytes:
    parts = text.replace("-", ":").split(":")
    try:
        mac = bytes(int(p, 16) for p in parts)
    except ValueError:
        mac = b""
    if len(mac) != 6:
        raise SimOptionError(
            f"L'option « mac » attend six octets aa:bb:cc:dd:ee:ff, pas « {text} »."
        )
    return mac


class EspRomDevice(SimulatedDevice):
    """Base class; :class:`Esp32S3Device` and :class:`Esp32S2Device` fix the chip."""

    chip = "esp32s3"

    def __init__(self, options: Mapping[str, str] | None = None) -> None:
        super().__init__(options)
        opts = self.options
        reject_unknown_options(opts, _OPTIONS, self.kind)
        flash_mib = option_int(opts, "flash_size", 4, minimum=1, maximum=16)
        if flash_mib not in chips.FLASH_CAPACITY_CODES:
            raise SimOptionError("L'option « flash_size » vaut 1, 2, 4, 8 ou 16 (Mio).")
        answer_as = opts.get("answer_as", self.chip).lower()
        if answer_as not in chips.PROFILES:
            raise SimOptionError(
                f"L'option « answer_as » vaut {', '.join(sorted(chips.PROFILES))}, "
                f"pas « {answer_as} »."
            )
        self.profile = chips.PROFILES[answer_as]
        mac = _parse_mac(opts.get("mac", chips.DEFAULT_MACS[answer_as]))
        self.mac = mac
        boot = opts.get("boot", "download").lower()
        if boot not in ("download", "app"):
            raise SimOptionError("L'option « boot » vaut « download » ou « app ».")
        self.button_after_s = (
            option_float(opts, "button_after_s", 0.0, minimum=0.0, maximum=3600.0)
            if "button_after_s" in opts
            else None
        )
        self.corrupt_seq = (
            option_int(opts, "corrupt_packet", 0, minimum=0, maximum=1_000_000)
            if "corrupt_packet" in opts
            else None
        )
        self.corrupt_mode = opts.get("corrupt_mode", "checksum").lower()
        if self.corrupt_mode not in ("checksum", "silent"):
            raise SimOptionError("L'option « corrupt_mode » vaut « checksum » ou « silent ».")
        self.corrupt_left = option_int(opts, "corrupt_count", 3, minimum=0, maximum=1000)
        self.stop_after = (
            option_int(opts, "stop_after", 0, minimum=0, maximum=10_000_000)
            if "stop_after" in opts
            else None
        )

        self.flash = SparseFlash(flash_mib * 1024 * 1024)
        self.registers = RegisterFile(self.profile, mac, flash_mib)
        self.loader = Loader(self.profile, self.flash, self.registers)
        self.in_download_mode = boot == "download"
        self.uart_baud = INITIAL_BAUD
        self.autobaud = True
        self.host_baud: int | None = None
        self.garbled_bytes = 0
        self.resets = 0
        self.corrupted_packets = 0
        self.silent = False

        self._decoder = slip.SlipDecoder()
        self._rx: deque[tuple[float, bytes]] = deque()
        self._tx: deque[tuple[float, bytes]] = deque()
        self._rx_free_s = 0.0
        self._tx_free_s = 0.0
        self._busy_until_s = 0.0
        self._now_s = 0.0
        self._out = bytearray()
        self._en_low = False
        self._boot_at_s: float | None = None
        self._io0_low_seen = False
        self._origin_s: float | None = None

    # -- wire ---------------------------------------------------------------------------
    def byte_time_s(self) -> float:
        return BITS_PER_BYTE / self.uart_baud

    def _send(self, data: bytes, ready_s: float) -> float:
        start = max(ready_s, self._tx_free_s)
        end = start + len(data) * self.byte_time_s()
        self._tx_free_s = end
        self._tx.append((end, data))
        return end

    def on_open(self, now_s: float) -> None:
        if self._origin_s is None:
            self._origin_s = now_s
        self._now_s = max(self._now_s, now_s)

    def set_baudrate(self, baudrate: int, now_s: float) -> None:
        self.host_baud = baudrate
        if self.autobaud:
            self.uart_baud = baudrate

    def set_control_lines(self, dtr: bool, rts: bool, now_s: float) -> None:
        en_low = rts and not dtr
        io0_low = dtr and not rts
        if en_low:
            self._boot_at_s = None  # held in reset
        elif self._en_low:
            self._boot_at_s = now_s + EN_RC_DELAY_S
            self._io0_low_seen = io0_low
        elif self._boot_at_s is not None and io0_low:
            self._io0_low_seen = True
        self._en_low = en_low

    def _reset(self, now_s: float, *, download: bool, cause: str = "0x1 (POWERON)") -> None:
        self.resets += 1
        self.loader = Loader(self.profile, self.flash, self.registers)
        self.uart_baud = self.host_baud or INITIAL_BAUD
        self.autobaud = True
        self.silent = False
        self.in_download_mode = download
        self._decoder = slip.SlipDecoder()
        self._rx.clear()
        boot = "0x0 (DOWNLOAD(USB/UART0))" if download else "0x8 (SPI_FAST_FLASH_BOOT)"
        log = f"{self.profile.rom_banner}rst:{cause},boot:{boot}\r\n"
        if download:
            log += "waiting for download\r\n"
        self._send(log.encode("ascii"), now_s + BOOT_DELAY_S)

    def feed(self, data: bytes, now_s: float) -> None:
        self.advance(now_s)
        if self.host_baud is not None and self.host_baud != self.uart_baud:
            self.garbled_bytes += len(data)
            return
        start = max(now_s, self._rx_free_s)
        end = start + len(data) * self.byte_time_s()
        self._rx_free_s = end
        self._rx.append((end, data))

    def advance(self, now_s: float) -> None:
        self._now_s = max(self._now_s, now_s)
        if (
            self.button_after_s is not None
            and self._origin_s is not None
            and now_s >= self._origin_s + self.button_after_s
        ):
            at = self._origin_s + self.button_after_s
            self.button_after_s = None
            self._reset(at, download=True)
        if self._boot_at_s is not None and now_s >= self._boot_at_s:
            at, self._boot_at_s = self._boot_at_s, None
            self._reset(at, download=self._io0_low_seen)
        while self._rx and self._rx[0][0] <= now_s:
            arrival, data = self._rx.popleft()
            for event in self._decoder.feed(data):
                if isinstance(event, slip.Frame):
                    self._handle_frame(event.data, arrival)
        while self._tx and self._tx[0][0] <= now_s:
            self._out += self._tx.popleft()[1]

    def read_output(self) -> bytes:
        out = bytes(self._out)
        self._out.clear()
        return out

    def next_event_s(self) -> float | None:
        times = []
        if self._rx:
            times.append(self._rx[0][0])
        if self._tx:
            times.append(self._tx[0][0])
        if self.button_after_s is not None and self._origin_s is not None:
            times.append(self._origin_s + self.button_after_s)
        if self._boot_at_s is not None:
            times.append(self._boot_at_s)
        return min(times) if times else None

    # -- commands -----------------------------------------------------------------------
    def _damage(self, packet: bytes) -> bytes:
        """Apply the ``corrupt_packet`` fault to a data block, if it is the chosen one."""
        if self.corrupt_seq is None or self.corrupt_left <= 0 or len(packet) < 24:
            return packet
        if packet[1] not in (Op.FLASH_DATA, Op.FLASH_DEFL_DATA):
            return packet
        seq = int.from_bytes(packet[12:16], "little")
        if seq != self.corrupt_seq:
            return packet
        self.corrupt_left -= 1
        self.corrupted_packets += 1
        if self.corrupt_mode == "silent":
            self.loader.corrupt_next_write = True
            return packet
        middle = 24 + (len(packet) - 24) // 2
        return packet[:middle] + bytes([packet[middle] ^ 0x10]) + packet[middle + 1 :]

    def _handle_frame(self, packet: bytes, arrival_s: float) -> None:
        if not self.in_download_mode or self.silent:
            return
        if self.stop_after is not None and self.loader.stats.commands >= self.stop_after:
            self.silent = True
            return
        start = max(arrival_s, self._busy_until_s) + COMMAND_OVERHEAD_S
        if self.loader.reading:
            self._emit(self.loader.read_acknowledged(packet), start)
            return
        packet = self._damage(packet)
        try:
            command = proto.decode_command(packet)
        except ProtocolError as exc:
            self.loader.stats.commands += 1
            reply = self.loader.reply_to_garbage(packet, exc)
        else:
            reply = self.loader.handle(command)
        self._emit(reply, start)

    def _emit(self, reply: Reply, start: float) -> None:
        """Put a reply on the wire and apply what follows it (baud change, reboot…)."""
        done = start + reply.work_s
        ready = start if reply.reply_first else done
        self._busy_until_s = done
        sent_at = ready
        for response in reply.packets:
            sent_at = self._send(slip.encode(response), ready)
        if reply.new_baud is not None:
            # The answer goes out at the old speed; then the UART switches.
            self.uart_baud = reply.new_baud
            self.autobaud = False
        if reply.start_program:
            greeting = self.loader.start_stub()
            self._send(slip.encode(greeting), sent_at + STUB_START_S)
        if reply.reload_rom:
            self._reset(sent_at, download=True, cause="0x3 (RTC_SW_SYS_RST)")
        if reply.leave:
            self.in_download_mode = False
            log = (
                f"{self.profile.rom_banner}rst:0x15 (USB_UART_CHIP_RESET),"
                "boot:0x8 (SPI_FAST_FLASH_BOOT)\r\n"
            )
            self._send(log.encode("ascii"), sent_at + BOOT_DELAY_S)


class Esp32S3Device(EspRomDevice):
    kind = "esp32s3"
    chip = "esp32s3"


class Esp32S2Device(EspRomDevice):
    kind = "esp32s2"
    chip = "esp32s2"
