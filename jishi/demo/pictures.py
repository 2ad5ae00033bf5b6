"""Product pictures for the demo, drawn locally with Pillow: each leaf category has its own colours, each
root category a pictogram of what it sells (a phone, a dress, a teacup…), and the picture carries the
initial of the product's title. Leaves that look nothing like their root (a watch among jewellery, a
shoe among bags) have a pictogram of their own. Pictures are drawn once per (leaf, initial) and shared, so a million
products cost a thousand small JPEGs.
"""

from __future__ import annotations

import colorsys
import hashlib
import io
from collections.abc import Callable

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image, ImageDraw, ImageFont

SIZE, THUMB = 480, 240
Draw = Callable[[ImageDraw.ImageDraw, str, str], None]


def _rgb(hue: float, lightness: float, saturation: float) -> tuple[int, int, int]:
    r, g, b = colorsys.hls_to_rgb(hue % 1.0, lightness, saturation)
    return round(r * 255), round(g * 255), round(b * 255)


def palette(slug: str, shade: int = 0) -> tuple[tuple, tuple, tuple]:
    """A leaf's colours, stable across runs: a pale background, the object's colour and a detail colour;
    ``shade`` turns the hue a little, so products of one leaf do not all look alike."""
    digest = hashlib.blake2b(slug.encode(), digest_size=4).digest()
    hue = digest[0] / 255 + (shade % 3) * 0.07
    saturation = 0.45 + digest[1] / 255 * 0.4
    return (_rgb(hue, 0.92, 0.45), _rgb(hue + 0.02, 0.42 + digest[2] / 255 * 0.15, saturation),
            _rgb(hue + 0.45, 0.55, 0.6))


def _phone(d, main, detail):
    d.rounded_rectangle((170, 80, 310, 400), radius=26, fill=main)
    d.rounded_rectangle((182, 104, 298, 370), radius=10, fill="#f6f7f9")
    d.rectangle((196, 124, 284, 176), fill=detail)
    d.ellipse((233, 380, 247, 394), fill="#f6f7f9")


def _laptop(d, main, detail):
    d.rounded_rectangle((120, 110, 360, 290), radius=12, fill=main)
    d.rectangle((136, 126, 344, 274), fill="#f6f7f9")
    d.rectangle((156, 146, 250, 196), fill=detail)
    d.polygon([(95, 300), (385, 300), (405, 340), (75, 340)], fill=main)


def _headphones(d, main, detail):
    d.arc((130, 90, 350, 330), start=180, end=360, fill=main, width=26)
    d.rounded_rectangle((110, 220, 175, 350), radius=24, fill=main)
    d.rounded_rectangle((305, 220, 370, 350), radius=24, fill=main)
    d.ellipse((128, 262, 158, 292), fill=detail)
    d.ellipse((322, 262, 352, 292), fill=detail)


def _dress(d, main, detail):
    d.polygon([(205, 110), (275, 110), (290, 210), (360, 380), (120, 380), (190, 210)], fill=main)
    d.line([(205, 110), (200, 80)], fill=main, width=10)
    d.line([(275, 110), (280, 80)], fill=main, width=10)
    d.rectangle((192, 200, 288, 218), fill=detail)


def _tshirt(d, main, detail):
    d.polygon([(190, 100), (290, 100), (380, 150), (350, 210), (315, 190), (315, 380), (165, 380), (165, 190),
               (130, 210), (100, 150)], fill=main)
    d.chord((205, 80, 275, 130), start=0, end=180, fill="#f6f7f9")
    d.rectangle((255, 160, 285, 185), fill=detail)


def _vase(d, main, detail):
    d.polygon([(175, 260), (305, 260), (285, 390), (195, 390)], fill=main)
    d.rectangle((165, 245, 315, 272), fill=main)
    for box in ((170, 110, 250, 250), (230, 90, 300, 250), (200, 140, 330, 230)):
        d.ellipse(box, fill=detail)
    d.line([(240, 250), (240, 150)], fill="#3c6e47", width=6)


def _kettle(d, main, detail):
    d.rounded_rectangle((150, 170, 330, 380), radius=40, fill=main)
    d.polygon([(150, 230), (95, 185), (105, 175), (155, 205)], fill=main)
    d.arc((170, 100, 310, 240), start=180, end=360, fill=main, width=18)
    d.rectangle((140, 370, 340, 395), fill=detail)
    d.ellipse((270, 300, 300, 330), fill=detail)


def _bottle(d, main, detail):
    d.rounded_rectangle((190, 70, 290, 150), radius=10, fill=detail)
    d.rounded_rectangle((165, 140, 315, 400), radius=36, fill=main)
    d.rectangle((165, 230, 315, 300), fill="#f6f7f9")
    d.rectangle((195, 252, 285, 278), fill=detail)


def _blocks(d, main, detail):
    for box, colour in (((120, 270, 240, 390), main), ((240, 270, 360, 390), detail), ((180, 150, 300, 270), main)):
        d.rectangle(box, fill=colour, outline="#ffffff", width=4)
        x0, y0, x1, _ = box
        for cx in (x0 + 30, x1 - 30):
            d.rounded_rectangle((cx - 18, y0 - 18, cx + 18, y0 + 2), radius=4, fill=colour)


def _dumbbell(d, main, detail):
    d.rectangle((140, 228, 340, 252), fill=detail)
    for x in (100, 320):
        d.rounded_rectangle((x, 160, x + 60, 320), radius=12, fill=main)
    for x in (150, 300):
        d.rounded_rectangle((x, 185, x + 30, 295), radius=8, fill=main)


def _handbag(d, main, detail):
    d.arc((170, 90, 310, 250), start=180, end=360, fill=main, width=18)
    d.polygon([(135, 180), (345, 180), (375, 380), (105, 380)], fill=main)
    d.rectangle((225, 210, 255, 240), fill=detail)


def _ring(d, main, detail):
    d.ellipse((150, 200, 330, 380), outline=main, width=28)
    d.polygon([(200, 150), (280, 150), (305, 180), (240, 240), (175, 180)], fill=detail)
    d.line([(175, 180), (305, 180)], fill="#ffffff", width=4)


def _car(d, main, detail):
    d.polygon([(80, 290), (110, 230), (170, 220), (210, 170), (320, 170), (365, 225), (405, 240), (410, 300),
               (80, 300)], fill=main)
    d.polygon([(225, 185), (305, 185), (335, 222), (200, 222)], fill="#f6f7f9")
    for x in (130, 310):
        d.ellipse((x - 38, 262, x + 38, 338), fill="#2b2d33")
        d.ellipse((x - 16, 284, x + 16, 316), fill=detail)


def _teacup(d, main, detail):
    d.ellipse((100, 330, 380, 380), fill=detail)
    d.chord((130, 150, 350, 370), start=0, end=180, fill=main)
    d.rectangle((130, 255, 350, 262), fill=main)
    d.arc((320, 270, 385, 330), start=270, end=90, fill=main, width=14)
    for x in (200, 245, 290):
        d.arc((x - 20, 120, x + 20, 200), start=100, end=260, fill=main, width=6)


def _circle(d, main, detail):
    d.ellipse((120, 120, 360, 360), fill=main)
    d.ellipse((200, 200, 280, 280), fill=detail)


def _shoe(d, main, detail):
    d.polygon([(90, 330), (100, 230), (150, 220), (200, 260), (290, 280), (370, 300), (395, 335), (390, 355),
               (90, 355)], fill=main)
    d.rectangle((90, 345, 392, 370), fill="#f6f7f9")
    for x in (165, 195, 225):
        d.line([(x, 250), (x + 20, 270)], fill=detail, width=6)


def _watch(d, main, detail):
    d.rounded_rectangle((205, 70, 275, 410), radius=20, fill=main)
    d.ellipse((155, 150, 325, 320), fill=main)
    d.ellipse((172, 167, 308, 303), fill="#f6f7f9")
    d.line([(240, 235), (240, 185)], fill=detail, width=8)
    d.line([(240, 235), (280, 250)], fill=detail, width=6)


def _monitor(d, main, detail):
    d.rounded_rectangle((90, 110, 390, 300), radius=10, fill=main)
    d.rectangle((104, 124, 376, 286), fill="#f6f7f9")
    d.rectangle((126, 146, 250, 206), fill=detail)
    d.rectangle((225, 300, 255, 350), fill=main)
    d.rounded_rectangle((170, 345, 310, 365), radius=8, fill=main)


def _keyboard(d, main, detail):
    d.rounded_rectangle((70, 180, 410, 330), radius=16, fill=main)
    for row in range(3):
        for col in range(9):
            x, y = 88 + col * 35, 196 + row * 34
            d.rounded_rectangle((x, y, x + 27, y + 26), radius=4, fill="#f6f7f9")
    d.rounded_rectangle((160, 298, 320, 318), radius=4, fill=detail)


def _camera(d, main, detail):
    d.rounded_rectangle((190, 130, 290, 170), radius=8, fill=main)
    d.rounded_rectangle((100, 160, 380, 350), radius=24, fill=main)
    d.ellipse((175, 185, 305, 315), fill="#f6f7f9")
    d.ellipse((200, 210, 280, 290), fill=detail)
    d.ellipse((330, 180, 355, 205), fill=detail)


def _power_bank(d, main, detail):
    d.rounded_rectangle((160, 100, 320, 390), radius=26, fill=main)
    for step in range(4):
        y = 150 + step * 45
        d.rounded_rectangle((200, y, 280, y + 30), radius=6, fill=detail if step else "#f6f7f9")
    d.rectangle((220, 90, 260, 102), fill=main)


def _plug(d, main, detail):
    d.rounded_rectangle((170, 120, 310, 250), radius=22, fill=main)
    d.rectangle((195, 80, 215, 125), fill=detail)
    d.rectangle((265, 80, 285, 125), fill=detail)
    d.line([(240, 250), (240, 320), (330, 320), (330, 390)], fill=main, width=14)


def _speaker(d, main, detail):
    d.rounded_rectangle((150, 90, 330, 390), radius=28, fill=main)
    d.ellipse((185, 225, 295, 335), fill="#f6f7f9")
    d.ellipse((215, 255, 265, 305), fill=detail)
    d.ellipse((215, 130, 265, 180), fill="#f6f7f9")


def _book(d, main, detail):
    d.rounded_rectangle((140, 90, 340, 390), radius=10, fill=main)
    d.rectangle((140, 90, 170, 390), fill=detail)
    d.rectangle((200, 150, 310, 180), fill="#f6f7f9")


def _pen(d, main, detail):
    d.polygon([(300, 90), (340, 130), (170, 360), (130, 320)], fill=main)
    d.polygon([(130, 320), (170, 360), (110, 390)], fill=detail)
    d.line([(320, 110), (250, 205)], fill="#f6f7f9", width=6)


def _mouse(d, main, detail):
    d.rounded_rectangle((180, 110, 300, 380), radius=60, fill=main)
    d.line([(240, 112), (240, 200)], fill="#f6f7f9", width=5)
    d.rounded_rectangle((231, 140, 249, 180), radius=8, fill=detail)


def _jar(d, main, detail):
    d.rounded_rectangle((165, 100, 315, 140), radius=10, fill=detail)
    d.rounded_rectangle((150, 135, 330, 390), radius=34, fill=main)
    d.rounded_rectangle((175, 210, 305, 300), radius=12, fill="#f6f7f9")
    for x, y in ((205, 240), (240, 262), (272, 238)):
        d.ellipse((x - 14, y - 14, x + 14, y + 14), fill=detail)


def _bicycle(d, main, detail):
    for x in (140, 340):
        d.ellipse((x - 70, 250, x + 70, 390), outline=main, width=14)
    d.line([(140, 320), (215, 210), (300, 210), (340, 320)], fill=main, width=12)
    d.line([(215, 210), (240, 320), (300, 210)], fill=main, width=12)
    d.line([(200, 195), (235, 195)], fill=detail, width=12)
    d.line([(300, 210), (290, 170), (320, 165)], fill=detail, width=10)


def _tent(d, main, detail):
    d.polygon([(240, 100), (400, 370), (80, 370)], fill=main)
    d.polygon([(240, 200), (290, 370), (190, 370)], fill=detail)
    d.line([(240, 100), (240, 70)], fill=main, width=8)


def _fan(d, main, detail):
    d.ellipse((120, 80, 360, 320), outline=main, width=12)
    for box in ((215, 100, 265, 200), (215, 200, 265, 300), (140, 175, 240, 225), (240, 175, 340, 225)):
        d.ellipse(box, fill=detail)
    d.ellipse((222, 182, 258, 218), fill=main)
    d.rectangle((228, 320, 252, 370), fill=main)
    d.rounded_rectangle((170, 365, 310, 390), radius=10, fill=main)


def _robot_vacuum(d, main, detail):
    d.ellipse((90, 180, 390, 380), fill=main)
    d.ellipse((110, 190, 370, 350), fill=tuple(min(255, c + 40) for c in main))
    d.ellipse((215, 230, 265, 270), fill=detail)
    d.rounded_rectangle((150, 300, 330, 320), radius=8, fill=detail)


def _lamp(d, main, detail):
    d.polygon([(170, 110), (310, 110), (350, 230), (130, 230)], fill=main)
    d.rectangle((232, 230, 248, 360), fill=detail)
    d.rounded_rectangle((170, 355, 310, 385), radius=12, fill=detail)


def _pillow(d, main, detail):
    d.rounded_rectangle((90, 160, 390, 350), radius=70, fill=main)
    d.line([(150, 255), (330, 255)], fill=detail, width=6)


# Leaves that look nothing like their root's pictogram.
LEAF_PICTOGRAMS: dict[str, Draw] = {
    "phone-chargers": _plug, "power-banks": _power_bank, "monitors": _monitor, "keyboards": _keyboard,
    "mice": _mouse, "notebooks-paper": _book, "pens": _pen, "speakers": _speaker, "digital-cameras": _camera,
    "action-cameras": _camera, "smartwatches": _watch, "fitness-trackers": _watch, "mens-watches": _watch,
    "womens-watches": _watch, "sneakers": _shoe, "boots": _shoe, "sandals": _shoe, "car-chargers": _plug,
    "dash-cams": _camera, "tablets": _phone, "sweets": _jar, "nuts-dried-fruit": _jar, "bicycles": _bicycle,
    "camping": _tent, "fans": _fan, "robot-vacuums": _robot_vacuum, "lighting": _lamp, "pillows": _pillow,
    "bed-sheets": _pillow,
}

PICTOGRAMS: dict[str, Draw] = {
    "womens-clothing": _dress, "mens-clothing": _tshirt, "phones-accessories": _phone, "computers-office": _laptop,
    "consumer-electronics": _headphones, "home-garden": _vase, "home-appliances": _kettle,
    "beauty-health": _bottle, "toys-kids": _blocks, "sports-outdoors": _dumbbell, "bags-shoes": _handbag,
    "jewellery-watches": _ring, "automotive": _car, "food-tea": _teacup,
}


def draw(leaf_slug: str, root_slug: str, initial: str) -> Image.Image:
    background, main, detail = palette(leaf_slug, ord(initial[:1] or "J"))
    image = Image.new("RGB", (SIZE, SIZE), background)
    d = ImageDraw.Draw(image)
    d.ellipse((90, 380, 390, 430), fill=tuple(max(0, c - 22) for c in background))  # the object's shadow
    (LEAF_PICTOGRAMS.get(leaf_slug) or PICTOGRAMS.get(root_slug, _circle))(d, main, detail)
    d.ellipse((24, 24, 104, 104), fill=main)
    d.text((64, 66), initial, fill="#ffffff", font=_font(), anchor="mm")
    return image


_FONT: list = []


def _font():
    if not _FONT:
        _FONT.append(ImageFont.load_default(size=52))
    return _FONT[0]


class PictureBook:
    """Draws and stores each (leaf, initial) picture the first time a product needs it."""

    def __init__(self):
        self.made: dict[tuple[str, str], tuple[str, str]] = {}

    def get(self, leaf_slug: str, root_slug: str, title: str) -> tuple[str, str]:
        initial = next((ch for ch in title if ch.isalnum()), "J").upper()
        key = (leaf_slug, initial)
        if key not in self.made:
            self.made[key] = self._save(draw(leaf_slug, root_slug, initial), f"{leaf_slug}-{initial.lower()}")
        return self.made[key]

    @staticmethod
    def _save(image: Image.Image, name: str) -> tuple[str, str]:
        out = io.BytesIO()
        image.save(out, "JPEG", quality=80)
        path = default_storage.save(f"demo/{name}.jpg", ContentFile(out.getvalue()))
        out = io.BytesIO()
        image.reduce(SIZE // THUMB).save(out, "JPEG", quality=78)  # a box filter: exact halving, fast
        thumb = default_storage.save(f"demo/{name}-thumb.jpg", ContentFile(out.getvalue()))
        return path, thumb
