"""A labelled image tree made from real photographs (the sample images scikit-image ships):
for each original an exact copy, a resized copy, a recompressed copy, a lightly cropped copy and
a resized-and-recompressed copy, all labelled with the original they come from."""
import shutil
from pathlib import Path

import skimage
from PIL import Image

PHOTOS = [
    "astronaut.png", "brick.png", "camera.png", "cell.png", "chelsea.png", "clock_motion.png", "coffee.png", "coins.png", "grass.png",
    "gravel.png", "hubble_deep_field.jpg", "ihc.png", "moon.png", "motorcycle_left.png", "page.png", "retina.jpg", "rocket.jpg", "text.png",
]


def originals():
    data = Path(skimage.__file__).parent / "data"
    return [(name.split(".")[0], Image.open(data / name).convert("RGB")) for name in PHOTOS]


def build(root: Path, scale=1):
    """Writes the tree under `root`; returns {relative path: label}. `scale` enlarges each original
    first (Lanczos), for sets that need images over a pixel budget."""
    labels = {}
    for name, image in originals():
        if scale != 1:
            image = image.resize((image.width * scale, image.height * scale), Image.LANCZOS)
        folder = root / name
        folder.mkdir(parents=True, exist_ok=True)
        original = folder / "original.jpg"
        image.save(original, quality=92)
        variants = {
            "copy.jpg": None,
            "half.jpg": image.resize((image.width // 2, image.height // 2), Image.LANCZOS),
            "recompressed.jpg": image,
            "cropped.jpg": image.crop((image.width // 20, image.height // 20, image.width - image.width // 20, image.height - image.height // 20)),
            "small-q60.jpg": image.resize((image.width * 7 // 10, image.height * 7 // 10), Image.BILINEAR),
        }
        labels[f"{name}/original.jpg"] = name
        for file, variant in variants.items():
            path = folder / file
            if variant is None:
                shutil.copyfile(original, path)
            else:
                variant.save(path, quality=40 if file == "recompressed.jpg" else 60 if "q60" in file else 90)
            labels[f"{name}/{file}"] = name
    # Files that are not images are counted, never grouped.
    (root / "README.txt").write_text("not an image\n")
    return labels


if __name__ == "__main__":
    import sys
    print(len(build(Path(sys.argv[1]))), "files")


def many(root: Path, count: int, folders=100):
    """`count` small distinct JPEGs (64×48 noise over a colour) in `folders` folders, fast to make in bulk."""
    for i in range(count):
        folder = root / f"{i % folders:03d}"
        if i < folders:
            folder.mkdir(parents=True, exist_ok=True)
        grey = Image.effect_noise((64, 48), 40 + i % 50)
        tint = Image.new("RGB", (64, 48), ((i * 37) % 256, (i * 91) % 256, (i * 13) % 256))
        Image.merge("RGB", [Image.blend(band, grey, 0.5) for band in tint.split()]).save(folder / f"{i}.jpg", quality=80)
