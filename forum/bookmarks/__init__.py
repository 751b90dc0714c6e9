"""Bookmarks (issue #12): a member saves any post or thread they can see (an opening post
stands for its thread) and finds them again at /bookmarks."""
