package dev.pgext.registry;

import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Predicate;

import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;

import dev.pgext.model.store.ObjectInfo;
import dev.pgext.model.store.ObjectStore;
import dev.pgext.model.store.ObjectStoreException;
import dev.pgext.model.store.S3ObjectStore;

/**
 * The registry's store with a switch that makes writes fail part-way: once armed, the
 * first {@code allowed} writes of matching keys go through and every later one fails, as
 * a store that goes away in the middle of a run would. Disarmed, it only passes calls on.
 */
public class FaultyObjectStore implements ObjectStore {

	private final ObjectStore delegate;

	private final AtomicReference<Predicate<String>> failing = new AtomicReference<>();

	private final AtomicInteger allowed = new AtomicInteger();

	private final AtomicInteger failures = new AtomicInteger();

	FaultyObjectStore(ObjectStore delegate) {
		this.delegate = delegate;
	}

	/**
	 * Lets {@code allowedWrites} writes of keys matching {@code keys} through, then fails
	 * the rest.
	 */
	public void failWritesAfter(int allowedWrites, Predicate<String> keys) {
		this.allowed.set(allowedWrites);
		this.failures.set(0);
		this.failing.set(keys);
	}

	/** Lets every call through again. */
	public void heal() {
		this.failing.set(null);
	}

	/** How many writes failed since the store was last armed. */
	public int failures() {
		return this.failures.get();
	}

	private void beforeWrite(String key) {
		Predicate<String> keys = this.failing.get();
		if (keys != null && keys.test(key) && this.allowed.getAndDecrement() <= 0) {
			this.failures.incrementAndGet();
			throw new ObjectStoreException("injected store failure writing " + key, 503, null);
		}
	}

	@Override
	public String bucket() {
		return this.delegate.bucket();
	}

	@Override
	public void checkBucket() {
		this.delegate.checkBucket();
	}

	@Override
	public Optional<InputStream> get(String key) {
		return this.delegate.get(key);
	}

	@Override
	public Optional<InputStream> getRange(String key, long offset, long length) {
		return this.delegate.getRange(key, offset, length);
	}

	@Override
	public Optional<byte[]> getBytes(String key) {
		return this.delegate.getBytes(key);
	}

	@Override
	public Optional<ObjectInfo> head(String key) {
		return this.delegate.head(key);
	}

	@Override
	public String put(String key, byte[] content, String contentType) {
		beforeWrite(key);
		return this.delegate.put(key, content, contentType);
	}

	@Override
	public String put(String key, Path file, String contentType) {
		beforeWrite(key);
		return this.delegate.put(key, file, contentType);
	}

	@Override
	public Optional<String> putIfAbsent(String key, byte[] content, String contentType) {
		beforeWrite(key);
		return this.delegate.putIfAbsent(key, content, contentType);
	}

	@Override
	public Optional<String> putIfAbsent(String key, Path file, String contentType) {
		beforeWrite(key);
		return this.delegate.putIfAbsent(key, file, contentType);
	}

	@Override
	public Optional<String> putIfMatch(String key, String etag, byte[] content, String contentType) {
		beforeWrite(key);
		return this.delegate.putIfMatch(key, etag, content, contentType);
	}

	@Override
	public List<ObjectInfo> list(String prefix) {
		return this.delegate.list(prefix);
	}

	@Override
	public void list(String prefix, Consumer<ObjectInfo> consumer) {
		this.delegate.list(prefix, consumer);
	}

	@Override
	public void delete(String key) {
		beforeWrite(key);
		this.delegate.delete(key);
	}

	/** Puts the faulty store in front of the real one for every registry test context. */
	@TestConfiguration(proxyBeanMethods = false)
	public static class Installed {

		@Bean
		@Primary
		FaultyObjectStore faultyObjectStore(S3ObjectStore store) {
			return new FaultyObjectStore(store);
		}

	}

}
