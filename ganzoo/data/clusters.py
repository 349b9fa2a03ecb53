"""Balanced k-means clusters of a dataset's images, used as labels in place of its own.

A conditional GAN trained on clusters of the data, not on its classes, is unconditional
from the outside: no label is read, and since every cluster holds the same number of
images, drawing a cluster uniformly at random draws images in the data's proportions.
It gives G the discrete choice of a conditional model, which is what a GAN on
multi-class data lacks (the self-conditioned GAN of Liu et al. 2020 clusters D's
features during training; these clusters are fixed before it, from the pixels).

The clustering is a fixed function of the images and ``k``: principal components, then
k-means++ and Lloyd's iterations from a fixed seed, then an assignment that gives every
cluster ``N // k`` images or one more, nearest centre first.
"""

from __future__ import annotations

import math

import torch

from ganzoo.data.memory import InMemorySource
from ganzoo.data.source import DataSource
from ganzoo.errors import ConfigError

COMPONENTS = 50
"""Principal components the images are clustered in."""
LLOYD_ITERATIONS = 30
BALANCING_ROUNDS = 5
CLUSTERING_SEED = 0
CHUNK = 4096
"""Images turned into float64 at a time, so a large dataset is never held whole in float."""


def cluster_labels(images: torch.Tensor, k: int) -> torch.Tensor:
    """Cluster ``(N, C, H, W)`` uint8 images into ``k`` clusters of (nearly) equal size.

    Returns ``(N,)`` int64 labels in ``[0, k)``; each cluster holds ``N // k`` images or
    one more.
    """
    n = len(images)
    if not 2 <= k <= n:
        raise ValueError(f"cannot make {k} clusters of {n} images (between 2 and {n})")
    features = principal_components(images, COMPONENTS)
    stream = torch.Generator().manual_seed(CLUSTERING_SEED)
    centres = kmeans_plus_plus(features, k, stream)
    for _ in range(LLOYD_ITERATIONS):
        labels = torch.cdist(features, centres).argmin(dim=1)
        centres = cluster_means(features, labels, centres)
    for _ in range(BALANCING_ROUNDS):
        labels = balanced_assignment(torch.cdist(features, centres))
        centres = cluster_means(features, labels, centres)
    return labels


def principal_components(images: torch.Tensor, count: int) -> torch.Tensor:
    """The images (as pixels in [0, 1]), centred and projected on their ``count`` leading
    principal directions: ``(N, count)`` float64, computed a chunk of images at a time."""
    chunks = images.flatten(1).split(CHUNK)
    pixels = images[0].numel()
    total = torch.zeros(pixels, dtype=torch.float64)
    scatter = torch.zeros(pixels, pixels, dtype=torch.float64)
    for chunk in chunks:
        x = chunk.to(torch.float64) / 255.0
        total += x.sum(dim=0)
        scatter += x.T @ x
    mean = total / len(images)
    _, vectors = torch.linalg.eigh(scatter - len(images) * torch.outer(mean, mean))
    directions = vectors[:, -min(count, pixels) :]
    return torch.cat([(chunk.to(torch.float64) / 255.0 - mean) @ directions for chunk in chunks])


def kmeans_plus_plus(x: torch.Tensor, k: int, stream: torch.Generator) -> torch.Tensor:
    """``k`` initial centres, each drawn with probability ∝ squared distance to the rest."""
    first = int(torch.randint(len(x), (1,), generator=stream))
    centres = [x[first]]
    nearest = ((x - x[first]) ** 2).sum(dim=1)
    for _ in range(1, k):
        chosen = int(torch.multinomial(nearest.clamp_min(0) + 1e-12, 1, generator=stream))
        centres.append(x[chosen])
        nearest = torch.minimum(nearest, ((x - x[chosen]) ** 2).sum(dim=1))
    return torch.stack(centres)


def cluster_means(x: torch.Tensor, labels: torch.Tensor, previous: torch.Tensor) -> torch.Tensor:
    """Each cluster's mean; an empty cluster keeps its previous centre."""
    k = len(previous)
    sums = torch.zeros_like(previous).index_add_(0, labels, x)
    counts = torch.bincount(labels, minlength=k).unsqueeze(1).to(x.dtype)
    return torch.where(counts > 0, sums / counts.clamp_min(1), previous)


def balanced_assignment(distances: torch.Tensor) -> torch.Tensor:
    """Each of ``n`` rows to one of ``k`` columns, every column taking ``n // k`` rows or one
    more: in rounds, every unplaced row asks for its nearest open column, and a column
    takes the nearest of those who ask, up to its room."""
    n, k = distances.shape
    size, larger = divmod(n, k)  # ``larger`` columns take ``size + 1`` rows, the rest ``size``
    labels = torch.full((n,), -1, dtype=torch.long)
    taken = [0] * k

    def room(column: int) -> int:
        may_take_one_more = taken[column] > size or sum(t > size for t in taken) < larger
        return size + int(may_take_one_more) - taken[column]

    while (waiting := (labels < 0).nonzero().squeeze(1)).numel():
        closed = torch.tensor([room(column) == 0 for column in range(k)])
        wanted = distances[waiting].masked_fill(closed, math.inf).argmin(dim=1)
        for column in wanted.unique().tolist():
            askers = waiting[wanted == column]
            askers = askers[distances[askers, column].argsort()[: room(column)]]
            labels[askers] = column
            taken[column] += len(askers)
    return labels


def clusterable(source: DataSource, k: int, dataset: str) -> InMemorySource:
    """``source`` itself, when it can be cut into ``k`` clusters; else a :class:`ConfigError`."""
    if not isinstance(source, InMemorySource):
        raise ConfigError(
            f"cluster_labels: dataset {dataset!r} is not held in memory as images, so it "
            "cannot be clustered; use digits, mnist, fashion-mnist, cifar10, or a folder "
            "small enough to be held in memory"
        )
    if k > source.size:
        raise ConfigError(
            f"cluster_labels = {k}: dataset {dataset!r} holds only {source.size} images; "
            f"give at most {source.size} clusters"
        )
    return source


def relabelled_by_clusters(source: InMemorySource, k: int) -> InMemorySource:
    """``source`` with its labels replaced by :func:`cluster_labels` of its images."""
    return InMemorySource(
        source.images,
        cluster_labels(source.images, k),
        num_classes=k,
        name=f"{source.name}, {k} clusters",
        origin=source.origin,
    )
