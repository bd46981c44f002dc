"""Munin-like history for import tests and scripts/bench-import: a year of 5-minute samples per
series, each series in time order, until the file reaches the size asked for.
Usage: python3 munin_history.py MEGABYTES FILE"""
import sys

START = 1_600_000_000


def history(path, megabytes):
    """Munin-like history: a year of 5-minute samples per series, each series in time order."""
    samples, written, series = 0, 0, 0
    with open(path, "w") as f:
        f.write("# TYPE munin_df_bytes gauge\n")
        while written < megabytes * 1024 * 1024:
            value = 1e9 + series * 1e6
            lines = []
            for i in range(105_120):
                value += 1000 + i % 288
                lines.append(f'munin_df_bytes{{host="off{series % 40}",fs="fs{series // 40}"}} {value:.0f} {START + i * 300}\n')
            text = "".join(lines)
            f.write(text)
            written += len(text)
            samples += len(lines)
            series += 1
        f.write("# EOF\n")
    return samples


if __name__ == "__main__":
    print(history(sys.argv[2], float(sys.argv[1])), "samples written")
