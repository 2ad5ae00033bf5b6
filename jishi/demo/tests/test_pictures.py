"""Demo pictures differ by category: each leaf its colours, each root its pictogram, drawn once and shared."""

from jishi.demo.pictures import PictureBook, draw, palette


def test_leaves_have_their_own_colours_and_roots_their_own_pictograms():
    assert palette("phone-cases") != palette("laptops")
    assert palette("phone-cases", 1) != palette("phone-cases", 0)  # products of one leaf vary a little
    case, laptop = draw("phone-cases", "phones-accessories", "C"), draw("laptops", "computers-office", "C")
    same_colours = draw("phone-cases", "computers-office", "C")
    assert case.tobytes() != laptop.tobytes()
    assert case.tobytes() != same_colours.tobytes()  # the same leaf colours, another root: another shape
    assert case.size == (480, 480)


def test_a_picture_is_drawn_once_per_leaf_and_initial_and_stays_small(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    book = PictureBook()
    first = book.get("phone-cases", "phones-accessories", "Classic Leather Case")
    assert book.get("phone-cases", "phones-accessories", "Compact Clear Case") == first
    assert book.get("phone-cases", "phones-accessories", "Deluxe Clear Case") != first
    assert book.get("laptops", "computers-office", "Classic Gaming Laptop") != first
    assert len(book.made) == 3
    image, thumbnail = (tmp_path / path for path in first)
    assert image.stat().st_size < 40_000 and thumbnail.stat().st_size < image.stat().st_size
