// Calls LoadMore on the .NET side whenever the sentinel element scrolls into view.
export function observe(sentinel, owner) {
    const observer = new IntersectionObserver(entries => {
        if (entries.some(e => e.isIntersecting)) {
            owner.invokeMethodAsync('LoadMore');
        }
    }, { rootMargin: '400px' });
    observer.observe(sentinel);
    return { dispose: () => observer.disconnect() };
}
