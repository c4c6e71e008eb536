"""The HTML side: pages, accounts, relative URLs for prefix proxies, the offline export."""
