"""The charity marketplace: four Django apps, bottom to top: needs, organizations, claims, delivery."""
