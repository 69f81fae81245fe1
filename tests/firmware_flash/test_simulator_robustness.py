# SPDX-License-Identifier: GPL-3.0-or-later
"""The simulators fed arbitrary bytes: they answer or stay silent, they never crash."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from firmware import esp_protocol, slip
from firmware.boards import get_board
from sim.esp_rom.device import Esp32S3Device
from sim.uf2_drive import Uf2Drive

FEW = settings(max_examples=60, deadline=None)
OPS = st.sampled_from([int(op) for op in esp_protocol.Op] + [0x00, 0x42, 0xFF])


@FEW
@given(st.binary(max_size=600))
def test_rom_survives_raw_junk_on_the_wire(junk: bytes) -> None:
    device = Esp32S3Device({})
    device.feed(junk, 0.0)
    device.advance(10.0)
    device.read_output()


@FEW
@given(
    st.lists(st.tuples(OPS, st.binary(max_size=48), st.integers(0, 255)), max_size=12),
    st.booleans(),
)
def test_rom_and_stub_answer_any_command_with_a_valid_frame(
    commands: list[tuple[int, bytes, int]], stub: bool
) -> None:
    device = Esp32S3Device({})
    if stub:
        device.loader.start_stub()
    wire = b"".join(
        slip.encode(esp_protocol.encode_command(op, data, chk)) for op, data, chk in commands
    )
    device.feed(wire, 0.0)
    device.advance(1000.0)
    responses = [
        e.data
        for e in slip.SlipDecoder().feed(device.read_output())
        if isinstance(e, slip.Frame) and e.data[:1] == bytes([esp_protocol.RESPONSE])
    ]
    for packet in responses:  # every answer is a well-formed response
        esp_protocol.decode_response(packet)


@settings(max_examples=25, deadline=None)
@given(st.lists(st.binary(max_size=3 * 512), min_size=1, max_size=3))
def test_uf2_drive_ignores_arbitrary_files(files: list[bytes]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        drive = Uf2Drive(Path(folder) / "RPI-RP2", get_board("pico"))
        drive.enter_bootloader()
        for i, content in enumerate(files):
            (drive.folder / f"f{i}.uf2").write_bytes(content)
        drive.poll()
        assert drive.state in ("bootloader", "circuitpy")
