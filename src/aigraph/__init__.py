"""aigraph: a sourced knowledge graph of the European sovereign-AI ecosystem."""

__version__ = "0.1.0"
