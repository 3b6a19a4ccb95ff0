"""Site spiders: one small file per agency, registered through ``SPIDER_MODULES``."""
